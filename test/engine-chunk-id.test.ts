import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkId } from '../src/engine/keys.ts';
import type { FileInfo } from '../src/engine/node-kind.ts';

const file: FileInfo = {
  path: '/data/a.root', sample: 'ttbar', process: 'ttbar', variation: 'nominal', xsec: 729.8, nevts: 1000,
  fingerprint: { kind: 'local', path: '/data/a.root', size: 123, mtimeMs: 1 },
};
const id = (f: FileInfo, start = 0) => chunkId({ file: f, tree: 'Events', start, stop: 100 });

test('chunk ids follow the file content, the range and the sample metadata, not the path spelling', () => {
  assert.equal(id(file), id({ ...file }));
  assert.notEqual(id(file), id(file, 1));
  assert.notEqual(id(file), id({ ...file, fingerprint: { kind: 'local', path: '/data/a.root', size: 123, mtimeMs: 2 } }));
  // select/fill read the metadata: a new cross-section or the same file under another sample is new work
  assert.notEqual(id(file), id({ ...file, xsec: 800 }));
  assert.notEqual(id(file), id({ ...file, sample: 'wjets', process: 'wjets' }));
  assert.notEqual(id(file), id({ ...file, variation: 'scaleup' }));
  assert.equal(id(file), id({ ...file, path: 'a.root' }));
});

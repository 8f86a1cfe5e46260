// fetch with contentHash: the sha256 of a local file is memoised in the store's 'content-sha256'
// memo table (cache/fingerprint.ts contentHash), keyed by path, size, mtime and inode: an unchanged
// file is not read again on the next run; a changed one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fetchKind from '../nodes/fetch.ts';
import type { NodeContext } from '../src/engine/node-kind.ts';
import type { MemoTable } from '../cache/types.ts';
import { tempDir } from './engine/harness.ts';

test('fetch contentHash: memoised per file identity in the store, recomputed when the file changes', async () => {
  const dir = tempDir('fetch-sha');
  const file = join(dir, 'a.root');
  writeFileSync(file, 'first content');
  const tables = new Map<string, Map<string, unknown>>();
  const memoTable = (name: string): MemoTable => {
    const t = tables.get(name) ?? new Map<string, unknown>();
    tables.set(name, t);
    return { get: (k) => t.get(k), set: async (k, v) => { t.set(k, v); } };
  };
  const ctx = { graph: 'g', node: 'inputs', log() {}, warn() {}, signal: new AbortController().signal, progress() {}, memo: async (_k: unknown, f: () => unknown) => f(), memoTable, workers: 1 } as unknown as NodeContext;
  const params = fetchKind.params.parse({ files: file, contentHash: true });
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  const first = await fetchKind.run([], params, ctx);
  assert.equal((first.files[0]!.fingerprint as { sha256?: string }).sha256, sha('first content'));
  const table = tables.get('content-sha256');
  assert.equal(table?.size, 1);
  // the memoised value is what the next run uses: plant a different one under the same identity
  const [key] = [...table!.keys()];
  table!.set(key!, 'f'.repeat(64));
  const again = await fetchKind.run([], params, ctx);
  assert.equal((again.files[0]!.fingerprint as { sha256?: string }).sha256, 'f'.repeat(64));
  // a changed file (new mtime) is hashed again
  writeFileSync(file, 'other content');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const changed = await fetchKind.run([], params, ctx);
  assert.equal((changed.files[0]!.fingerprint as { sha256?: string }).sha256, sha('other content'));
});

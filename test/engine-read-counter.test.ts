// Input I/O figures: the byte sources count what each chunk node reads (async-context local, so
// concurrent reads do not mix), the executor totals them for run-done, the UIs show them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingReads } from '../src/read-counter.ts';
import { openSource } from '../src/root/read/source.ts';
import { ReadTotals } from '../src/engine/read-totals.ts';
import { reduceAll } from './helpers/ui-state.ts';
import { formatRead } from '../src/ui/format.ts';
import type { FileInfo } from '../src/engine/node-kind.ts';
import { tempDir } from './engine/harness.ts';

test('reads are counted per async context: spans fetched and requests, concurrent contexts apart', async () => {
  const path = join(tempDir('read-counter'), 'bytes.bin');
  writeFileSync(path, Buffer.alloc(1 << 20, 7));
  const src = await openSource(path);
  const near = [{ offset: 0, length: 100 }, { offset: 1000, length: 100 }]; // one span of 1100 bytes
  const far = [{ offset: 0, length: 10 }, { offset: 900_000, length: 10 }]; // two spans
  const [a, b] = await Promise.all([countingReads(() => src.read(near)), countingReads(() => src.read(far))]);
  assert.deepEqual(a.read, { bytes: 1100, requests: 1 });
  assert.deepEqual(b.read, { bytes: 20, requests: 2 });
  await src.read(near); // outside any counter: nothing to count, no error
  await src.close();
});

test('run totals: bytes, requests, the size of the files read and the fraction', () => {
  const t = new ReadTotals();
  assert.equal(t.summary(), undefined);
  const file = (path: string, size: number) => ({ path, fingerprint: { kind: 'local', path, size, mtimeMs: 0 } }) as unknown as FileInfo;
  t.add(file('/a.root', 1000), { bytes: 100, requests: 2 });
  t.add(file('/a.root', 1000), { bytes: 50, requests: 1 });
  t.add(file('/b.root', 4000), { bytes: 350, requests: 1 });
  assert.deepEqual(t.summary(), { bytes: 500, requests: 4, fileBytes: 5000, fraction: 0.1 });
  assert.equal(formatRead(t.summary()!), 'read 500 B in 4 requests (10% of 5.0 kB of input files)');
});

test('UI state sums chunk reads and keeps the run-done figures', () => {
  const s = reduceAll([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim'], workers: 1, cacheDir: null, t: 0 },
    { type: 'chunk-done', node: 'skim', chunk: 'a[0:10]', events: 10, bytes: 1, cached: false, seconds: 0.1, read: { bytes: 300, requests: 2 }, t: 1 },
    { type: 'chunk-done', node: 'skim', chunk: 'a[10:20]', events: 10, bytes: 1, cached: false, seconds: 0.1, read: { bytes: 200, requests: 1 }, t: 2 },
    { type: 'run-done', ok: true, seconds: 1, nodes: {}, read: { bytes: 500, requests: 3, fileBytes: 1000, fraction: 0.5 }, t: 3 },
  ]);
  assert.equal(s.readBytes, 500);
  assert.equal(s.readRequests, 3);
  assert.deepEqual(s.finished?.read, { bytes: 500, requests: 3, fileBytes: 1000, fraction: 0.5 });
});

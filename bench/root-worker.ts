// Worker for bench/root.ts's multi-worker figure: reads the given entry ranges of every supported
// branch and reports the uncompressed payload bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { openRootFile } from '../src/root/read/index.ts';
import { isJagged } from '../src/columns.ts';

if (!parentPort) throw new Error('bench/root-worker.ts runs as a worker thread of bench/root.ts');
const { file, tree, ranges } = workerData as { file: string; tree: string; ranges: Array<{ start: number; stop: number }> };
const f = await openRootFile(file);
const t = await f.tree(tree);
const names = t.branches.filter((b) => b.supported).map((b) => b.name);
let bytes = 0;
for (const r of ranges) {
  const batch = await t.read(names, r);
  for (const c of Object.values(batch.columns)) bytes += isJagged(c) ? c.content.byteLength : c.byteLength;
}
await f.close();
parentPort.postMessage(bytes);

// Child process for the crash and concurrency tests:
//   node test/cache-child-writer.ts DIR write FROM TO   puts k<FROM>..k<TO-1>, printing each i
//   node test/cache-child-writer.ts DIR gc ROUNDS        runs ROUNDS gc passes (sweeps orphan blobs)
//   node test/cache-child-writer.ts DIR clear ROUNDS     runs ROUNDS clears
import { openStore } from '../cache/store.ts';
import { payloadsFor } from './cache-helpers.ts';

const [dir, mode, a, b] = process.argv.slice(2);
const store = await openStore(dir!);
if (mode === 'write') {
  for (let i = Number(a); i < Number(b); i++) {
    await store.put({ key: `k${i}`, label: { graph: 'crash', node: `n${i % 3}`, chunk: String(i) }, meta: { i }, payloads: payloadsFor(i) });
    process.stdout.write(`${i}\n`);
  }
} else if (mode === 'gc') {
  for (let r = 0; r < Number(a); r++) {
    await store.gc({});
    process.stdout.write(`gc ${r}\n`);
  }
} else if (mode === 'clear') {
  for (let r = 0; r < Number(a); r++) {
    await store.clear();
    process.stdout.write(`clear ${r}\n`);
  }
}
await store.close();

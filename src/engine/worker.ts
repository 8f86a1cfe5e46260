// Piscina worker: rebuilds the user's graph (functions cannot cross threads) once per (graph file,
// params) and opens the cache store once, then runs chunk tasks. Partials go back as transferables.
import './compile-cache.ts';
import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Store } from '../../cache/types.ts';
import { runChunkTask, type ChunkTask, type ChunkTaskResult } from './chunk-task.ts';
import { callInterruptibly } from './interrupt.ts';
import { loadGraph, type LoadedGraph } from './load.ts';
import type { NodeTask } from './pool.ts';

const graphs = new Map<string, Promise<LoadedGraph>>();
const stores = new Map<string, Promise<Store>>();
/** The stores' warnings (a corrupt entry dropped, a damaged index replaced), sent back with the
 *  next task result: the main thread puts them on the run's events, as it does its own store's. */
const storeWarnings: string[] = [];

function graphFor(task: { graphPath: string; sets: Record<string, string> }): Promise<LoadedGraph> {
  const id = `${task.graphPath}\0${JSON.stringify(task.sets)}`;
  let g = graphs.get(id);
  if (!g) graphs.set(id, (g = loadGraph(task.graphPath, task.sets)));
  return g;
}

function storeFor(dir: string): Promise<Store> {
  let s = stores.get(dir);
  if (!s) stores.set(dir, (s = import('../../cache/store.ts').then((m) => m.openStore(dir, { onWarning: (m) => void storeWarnings.push(m) }))));
  return s;
}

export default async function runTask(task: ChunkTask | NodeTask): Promise<unknown> {
  if (task.type === 'node-task') return runNodeTask(task);
  const g = await graphFor(task);
  const store = task.cacheDir ? await storeFor(task.cacheDir) : null;
  const result: ChunkTaskResult = { ...(await runChunkTask(task, g.plan, store)), worker: `thread-${threadId}` };
  if (storeWarnings.length) result.storeWarnings = storeWarnings.splice(0);
  const transfer: ArrayBuffer[] = [];
  for (const n of result.nodes) {
    if (!n.partial) continue;
    n.partial.payloads = n.partial.payloads.map((p) => {
      // only transfer buffers the payload owns entirely (never a pooled or shared one)
      const own = p.byteOffset === 0 && p.byteLength === p.buffer.byteLength && p.buffer instanceof ArrayBuffer ? p : p.slice();
      transfer.push(own.buffer as ArrayBuffer);
      return own;
    });
  }
  return move({ [transferableSymbol]: transfer, [valueSymbol]: result } as never);
}

/** `ctx.parallel` items: the kind's named task function, found again through the rebuilt graph. */
export async function runNodeTask(task: NodeTask): Promise<unknown> {
  const g = await graphFor(task);
  const node = g.plan.nodes.get(task.node);
  const fn = node?.kind.tasks?.[task.task];
  if (!node || typeof fn !== 'function') throw new Error(`node '${task.node}': no task '${task.task}' in kind '${node?.kind.kind}'`);
  return callInterruptibly(() => fn.call(node.kind, task.item, node.params), { signals: false, timeoutMs: task.timeoutMs });
}

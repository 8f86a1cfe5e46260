// The statistics CLI's parallel work (toy batches, impact fits, scan points) on worker threads: the
// items are split into a few groups per thread, each group one piscina task that carries the
// workspace once (each thread builds the model once, src/stats/model-cache.ts); results come back
// in item order. One thread: the same code in this thread, no pool.
import { availableParallelism } from 'node:os';
import { moduleExt } from '../../module-ext.ts';
import type { ModelRef } from '../model-cache.ts';
import type { ThreadKind, ThreadKinds, ThreadTask } from './worker.ts';

const GROUPS_PER_THREAD = 4;

/** Threads for `count` items when the user did not say: the cores (at most 8) for enough work. */
export function defaultThreads(count: number, minItems = 16): number {
  return count >= minItems ? Math.max(1, Math.min(availableParallelism(), 8)) : 1;
}

export async function mapOnThreads<K extends ThreadKind>(
  ref: ModelRef, kind: K, items: Array<ThreadKinds[K]['item']>, extra: ThreadKinds[K]['extra'], threads: number,
  onGroup?: (indices: number[], results: Array<ThreadKinds[K]['result']>) => void,
): Promise<Array<ThreadKinds[K]['result']>> {
  const out = new Array<ThreadKinds[K]['result']>(items.length);
  const n = threads <= 1 ? 1 : Math.min(items.length, threads * GROUPS_PER_THREAD);
  const groups = Array.from({ length: n }, (_, g) => items.map((_, i) => i).filter((i) => i % n === g));
  const task = (g: number[]): ThreadTask<K> => ({ ref, kind, items: g.map((i) => items[i]!), extra });
  const take = (g: number[], r: unknown[]) => {
    g.forEach((i, k) => { out[i] = r[k] as ThreadKinds[K]['result']; });
    onGroup?.(g, r as Array<ThreadKinds[K]['result']>);
  };
  if (items.length === 0) return out;
  if (threads <= 1) {
    const { default: run } = await import('./worker.ts');
    for (const g of groups) take(g, run(task(g)));
    return out;
  }
  const { Piscina } = await import('piscina');
  const pool = new Piscina({ filename: new URL(`./worker${moduleExt(import.meta.url)}`, import.meta.url).href, minThreads: threads, maxThreads: threads });
  try {
    await Promise.all(groups.map(async (g) => take(g, (await pool.run(task(g))) as unknown[])));
  } finally { await pool.destroy(); }
  return out;
}

// How far a chunk's read has got, for the dashboard: the ROOT reader reports the baskets it has
// decoded to the sink of the async context it is called from (as read-counter.ts does for bytes),
// so a chunk of several seconds shows events moving instead of looking dead.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Receives the fraction (0..1) of the current read done. */
export type ReadProgressSink = (fraction: number) => void;

const current = new AsyncLocalStorage<ReadProgressSink>();

/** Called by readers: `done` of `total` units (baskets) of this read are decoded. */
export function readProgress(done: number, total: number): void {
  if (total > 0) current.getStore()?.(done / total);
}

/** Runs `fn` with `sink` receiving the progress of the reads made inside it. */
export function withReadProgress<T>(sink: ReadProgressSink, fn: () => Promise<T>): Promise<T> {
  return current.run(sink, fn);
}

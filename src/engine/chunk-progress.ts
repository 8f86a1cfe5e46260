// Progress inside a chunk: the source node's reads report the fraction decoded (read-progress.ts);
// the task posts it, at most every PROGRESS_MS, on a BroadcastChannel the run names in the task
// (a plain string: the task stays JSON safe; a remote worker's posts reach no one), and the main
// thread turns the messages into `chunk-progress` events.
import { BroadcastChannel } from 'node:worker_threads';
import { withReadProgress } from '../read-progress.ts';

export const PROGRESS_MS = 200;

/** A chunk-progress message: `events` of the chunk's `total` read so far by `node`. */
export interface ChunkProgressMessage {
  node: string;
  chunk: string;
  events: number;
  total: number;
}

const channels = new Map<string, BroadcastChannel>();

function channel(name: string): BroadcastChannel {
  let c = channels.get(name);
  if (!c) {
    c = new BroadcastChannel(name);
    c.unref();
    channels.set(name, c);
  }
  return c;
}

/** Runs `fn` (the source node's runChunk) posting its read progress on `channelName`; the first
 *  basket is posted at once (the rate is known from it), later ones throttled, the end not at all
 *  (chunk-done follows). */
export function postingProgress<T>(channelName: string | undefined, msg: Omit<ChunkProgressMessage, 'events'>, fn: () => Promise<T>): Promise<T> {
  if (!channelName) return fn();
  let last = -Infinity;
  return withReadProgress((fraction) => {
    const now = performance.now();
    if (fraction >= 1 || now - last < PROGRESS_MS) return;
    last = now;
    channel(channelName).postMessage({ ...msg, events: Math.floor(fraction * msg.total) } satisfies ChunkProgressMessage);
  }, fn);
}

/** The main thread's end: a channel with a unique name, `onMessage` per message, `close()`. */
export function listenForProgress(onMessage: (m: ChunkProgressMessage) => void): { name: string; close(): void } {
  const name = `hepflow-progress-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const c = new BroadcastChannel(name);
  c.onmessage = (e) => onMessage((e as { data: ChunkProgressMessage }).data);
  c.unref();
  return { name, close: () => c.close() };
}

// The worker pool behind the executor: an interface, so that another backend (a BullMQ/Redis queue
// of remote workers) can replace piscina without touching node kinds or the executor. piscina is
// imported and threads are started only when the first task is submitted: an all-cached re-run
// never pays for them.
//
// What crosses this seam is plain data, structured-clone and JSON safe (typed arrays only inside
// `payloads`, which JSON transports must carry as bytes, e.g. base64): no functions, no class
// instances, no shared state. A worker needs only the task: it imports `graphPath` (a path the
// worker can read: remote workers need the same checkout) and rebuilds the graph with `sets`, and
// opens the store at `cacheDir` (remote workers need the same cache, or a pool that ships entries).
//  - ChunkTask (chunk-task.ts): one chunk through the chunk nodes of one source, with per node the
//    step the main thread decided by key (use a cached entry / compute / look up).
//  - ChunkTaskResult: per node its output hash, counts, and the encoded partial of reducers whose
//    merged value is rebuilt; `failure` ({node, kind, chunk, message, errorName?, at?, code?}) when
//    a node's code threw; `worker` (optional) names who ran it.
//  - NodeTask: one item of a global node's `ctx.parallel`, answered with a NodeTaskResult (a
//    structured-cloneable value, and who computed it).
// `run`/`runNodeTask` reject only for the pool's own faults (a worker that died, a lost
// connection, an abort): the executor retries those as it retries a chunk source's failures.
import type { ChunkTask, ChunkTaskResult } from './chunk-task.ts';
import { moduleExt } from '../module-ext.ts';

/** The NodeTask name of a kind's `warmUp` (warm-up.ts): not a name `tasks` can declare. */
export const WARM_UP_TASK = '@warm-up';

/** One item of a global node's `ctx.parallel(task, items)`, or its kind's warm-up. */
export interface NodeTask {
  type: 'node-task';
  graphPath: string;
  sets: Record<string, string>;
  node: string;
  task: string;
  item: unknown;
  /** --task-timeout: stop the task function after this many ms. */
  timeoutMs?: number;
}

/** The answer to a NodeTask: the task function's value and, optionally, who ran it. */
export interface NodeTaskResult {
  value: unknown;
  worker?: string;
}

export interface ChunkPool {
  /** Runs one chunk task; `signal` aborts it (the executor's group failed, Ctrl-C, --task-timeout). */
  run(task: ChunkTask, signal?: AbortSignal): Promise<ChunkTaskResult>;
  runNodeTask(task: NodeTask, signal?: AbortSignal): Promise<NodeTaskResult>;
  /** Terminates the workers (also mid-task: used on Ctrl-C). */
  destroy(): Promise<void>;
  /** Distributed pools (src/scaleout/): per worker process, what it did (run-done `workers`). */
  workerStats?(): Record<string, { host: string; chunks: number; events: number; seconds: number }>;
}

export function piscinaPool(workers: number): ChunkPool {
  let pool: Promise<import('piscina').Piscina> | undefined;
  const get = () =>
    (pool ??= import('piscina').then(({ Piscina }) => {
      const p = new Piscina({
        filename: new URL(`./worker${moduleExt(import.meta.url)}`, import.meta.url).href,
        minThreads: workers,
        maxThreads: workers,
        idleTimeout: 60_000,
      });
      // a worker answering a task we already aborted (its group failed) is not an error of the run
      p.on('error', () => {});
      return p;
    }));
  return {
    run: async (task, signal) => (await get()).run(task, signal ? { signal } : {}) as Promise<ChunkTaskResult>,
    runNodeTask: async (task, signal) => (await get()).run(task, signal ? { signal } : {}) as Promise<NodeTaskResult>,
    destroy: async () => {
      if (pool) await (await pool).destroy();
    },
  };
}

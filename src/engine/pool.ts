// The worker pool behind the executor (an interface, so a distributed backend, e.g. a BullMQ queue,
// can replace piscina later without touching node kinds). piscina is imported and threads are
// started only when the first chunk task is submitted: an all-cached re-run never pays for them.
import type { ChunkTask, ChunkTaskResult } from './chunk-task.ts';

/** One item of a global node's `ctx.parallel(task, items)`. */
export interface NodeTask {
  type: 'node-task';
  graphPath: string;
  sets: Record<string, string>;
  node: string;
  task: string;
  item: unknown;
}

export interface ChunkPool {
  run(task: ChunkTask, signal?: AbortSignal): Promise<ChunkTaskResult>;
  runNodeTask(task: NodeTask, signal?: AbortSignal): Promise<unknown>;
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
        filename: new URL('./worker.ts', import.meta.url).href,
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
    runNodeTask: async (task, signal) => (await get()).run(task, signal ? { signal } : {}),
    destroy: async () => {
      if (pool) await (await pool).destroy();
    },
  };
}

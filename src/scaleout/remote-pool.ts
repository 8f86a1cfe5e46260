// The coordinator's ChunkPool over BullMQ: every chunk task and ctx.parallel item becomes a job in
// the run's queue; results come back through QueueEvents (partial payloads through the shared blob
// store, verified by sha256). A watchdog bounds every wait: no worker for --workers-timeout, Redis
// unreachable for REDIS_DOWN_MS, a job lost with a restarted Redis (re-added: tasks are pure).
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChunkTask, ChunkTaskResult } from '../engine/chunk-task.ts';
import type { RunEvent } from '../engine/events.ts';
import type { ChunkPool, NodeTask } from '../engine/pool.ts';
import { UserError } from '../errors.ts';
import { shipCode } from './bundle.ts';
import { bullOptions, describeRedisError, withTimeout, type ExecutorUrl } from './connection.ts';
import { RUNS } from './keys.ts';
import { registerRun, liveWorkers, type RunRecord } from './runs.ts';
import type { SharedStore } from './shared-store.ts';
import { pack, unpack, type JobData, type JobResult, type WireChunkResult } from './wire.ts';
import { WORKER_EVENT, workerEventFrom, type WorkerStats } from './worker-events.ts';

export interface RemotePoolOptions {
  url: ExecutorUrl;
  redis: Redis;
  run: RunRecord;
  graphPath: string;
  sets: Record<string, string>;
  cache: boolean;
  shared: SharedStore;
  workersTimeoutMs: number;
  emit: (e: RunEvent) => void;
}

/** Redis unreachable for this long ends the run (one line naming Redis). */
const REDIS_DOWN_MS = Number(process.env.FLOW_REDIS_DOWN_MS ?? 60_000);
const WATCH_MS = 1000;

interface Pending {
  job: Job;
  data: JobData;
  resolve: (r: JobResult) => void;
  reject: (e: unknown) => void;
}

export interface RemotePool extends ChunkPool {
  workerStats(): Record<string, WorkerStats>;
}

export function remotePool(o: RemotePoolOptions): RemotePool {
  const connection = bullOptions(o.url);
  const queue = new Queue(o.run.queue, { connection });
  const events = new QueueEvents(o.run.queue, { connection });
  queue.on('error', () => {}); // outages are the watchdog's to report
  events.on('error', () => {});
  const pending = new Map<string, Pending>();
  const stats: Record<string, WorkerStats> = {};
  let fatal: Error | undefined;
  let ready: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let waitingSince: number | undefined;
  let warnedWaiting = false;
  let redisDownSince: number | undefined;
  let watching = false;
  let round = 0;

  // rejects once the run cannot go on: every wait on Redis races it (ioredis queues commands while
  // Redis is away, so a wait on Redis alone could last forever)
  let rejectFatal!: (e: Error) => void;
  const fatalP = new Promise<never>((_, rej) => (rejectFatal = rej));
  fatalP.catch(() => {});
  const failAll = (err: Error): void => {
    fatal ??= err;
    rejectFatal(fatal);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const settle = (jobId: string, ok: boolean, value: unknown): void => {
    const p = pending.get(jobId);
    if (!p) return; // a duplicate delivery or another run's leftovers: counted once
    pending.delete(jobId);
    if (!ok) return p.reject(new Error(String(value)));
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as JobResult;
    const s = (stats[r.worker] ??= { host: r.host, chunks: 0, events: 0, seconds: 0 });
    if (p.data.kind === 'chunk') s.chunks++;
    s.events += r.events;
    s.seconds += r.seconds;
    p.resolve(r);
  };
  events.on('completed', ({ jobId, returnvalue }) => settle(jobId, true, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => settle(jobId, false, failedReason));
  events.on('stalled', ({ jobId }) => {
    if (pending.has(jobId)) o.emit({ type: 'warning', message: `job ${jobId} stalled (its worker died or was stuck): BullMQ re-delivers it`, t: Date.now() });
  });
  // custom events published by the workers (QueueEventsProducer) arrive under their name
  (events as unknown as NodeJS.EventEmitter).on(WORKER_EVENT, (args: Record<string, string>) => {
    const e = workerEventFrom(args);
    if (e) o.emit(e);
  });

  const watch = async (): Promise<void> => {
    if (watching) return;
    watching = true;
    try {
      const now = Date.now();
      try {
        await withTimeout(o.redis.ping(), 3000, 'no answer to PING');
        redisDownSince = undefined;
      } catch (err) {
        redisDownSince ??= now;
        if (now - redisDownSince > REDIS_DOWN_MS) failAll(new UserError(`lost Redis at ${o.url.shown}: unreachable for ${Math.round(REDIS_DOWN_MS / 1000)}s (${describeRedisError(err)})`));
        return;
      }
      if (!(await o.redis.hexists(RUNS, o.run.runId))) {
        // Redis restarted without persistence: register again and re-add what it lost
        await shipCode(o.redis, o.graphPath);
        await registerRun(o.redis, o.run);
        o.emit({ type: 'warning', message: `Redis at ${o.url.shown} lost the run's state (restarted?): re-submitting ${pending.size} job(s)`, t: Date.now() });
      } else await registerRun(o.redis, o.run);
      // missed completions (events stream read while Redis was away) and lost jobs: every 5th round
      if (++round % 5 === 0) for (const [id, p] of [...pending]) {
        const state = await queue.getJobState(id);
        if (state === 'completed' || state === 'failed') {
          const job = await queue.getJob(id);
          if (job) settle(id, state === 'completed', state === 'completed' ? job.returnvalue : job.failedReason);
        } else if (state === 'unknown') {
          pending.delete(id);
          p.job = await queue.add(p.data.kind, p.data, JOB_OPTS);
          pending.set(p.job.id!, p);
        }
      }
      if (pending.size === 0) waitingSince = undefined;
      else if ((await liveWorkers(o.redis)) > 0) waitingSince = undefined;
      else {
        waitingSince ??= now;
        if (!warnedWaiting && now - waitingSince > 2000) {
          warnedWaiting = true;
          o.emit({ type: 'warning', message: `waiting for workers on ${o.url.shown} (start some: flow worker ${o.url.shown})`, t: Date.now() });
        }
        if (now - waitingSince > o.workersTimeoutMs) {
          failAll(new UserError(`no worker served ${o.url.shown} within --workers-timeout ${o.workersTimeoutMs / 1000}s (start some: flow worker ${o.url.shown})`));
        }
      }
    } catch {
      /* a command failed mid-outage: the next round looks again */
    } finally {
      watching = false;
    }
  };

  const start = (): Promise<void> =>
    (ready ??= (async () => {
      timer = setInterval(() => void watch(), WATCH_MS); // also while the connections come up
      await events.waitUntilReady();
      await queue.waitUntilReady();
    })());

  const submit = async (kind: JobData['kind'], task: ChunkTask | NodeTask, signal?: AbortSignal): Promise<JobResult> => {
    if (fatal) throw fatal;
    await Promise.race([start(), fatalP]);
    const data: JobData = { kind, runId: o.run.runId, version: o.run.version, codeHash: o.run.codeHash, graph: o.run.graph, sets: o.sets, cache: o.cache, task: pack(task) };
    const job = await Promise.race([queue.add(kind, data, JOB_OPTS), fatalP]);
    return new Promise<JobResult>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('cancelled'));
      const entry: Pending = { job, data, resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) };
      const onAbort = () => {
        pending.delete(entry.job.id!); // the watchdog may have re-added it under a new id
        void entry.job.remove().catch(() => {}); // an active job finishes and its result is ignored
        reject(new Error('cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      pending.set(job.id!, entry);
    });
  };

  return {
    async run(task, signal) {
      const r = await submit('chunk', task, signal);
      return fromWire(unpack<WireChunkResult>(r.value), o.shared);
    },
    async runNodeTask(task, signal) {
      const r = await submit('node-task', task, signal);
      return { value: unpack(r.value), worker: r.worker };
    },
    workerStats: () => stats,
    async destroy() {
      clearInterval(timer);
      failAll(new Error('cancelled'));
      // bounded: with Redis gone these would wait for it forever
      const quiet = (p: Promise<unknown>) => withTimeout(p, 5000, 'closing').catch(() => {});
      await quiet(events.close());
      await quiet(queue.obliterate({ force: true }));
      await quiet(queue.close());
      if (fatal?.message.startsWith('lost Redis')) {
        void queue.disconnect().catch(() => {});
        void events.disconnect().catch(() => {});
      }
    },
  };
}

const JOB_OPTS = { attempts: 1, removeOnComplete: false, removeOnFail: false } as const;

async function fromWire(r: WireChunkResult, shared: SharedStore): Promise<ChunkTaskResult> {
  const nodes = await Promise.all(r.nodes.map(async ({ partial, ...n }) => ({
    ...n,
    ...(partial ? { partial: { meta: partial.meta, payloads: await Promise.all(partial.digests.map((d) => shared.readBlob(d))) } } : {}),
  })));
  return { logs: r.logs, nodes, ...(r.failure ? { failure: r.failure } : {}), ...(r.worker ? { worker: r.worker } : {}) };
}



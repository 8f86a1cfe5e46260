// `flow run --executor redis://...`: everything the coordinator sets up around the executor. It
// checks Redis (one line on failure), ships the graph code, registers the run, puts the shared
// cache behind the local store (TieredStore, the graph's action cache loaded once) and hands the
// executor a pool factory; close() unregisters the run. The executor itself does not change.
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pidAlive } from '../../cache/blobfiles.ts';
import type { Store } from '../../cache/types.ts';
import type { RunEvent } from '../engine/events.ts';
import type { LoadedGraph } from '../engine/load.ts';
import type { ChunkPool } from '../engine/pool.ts';
import { shipCode } from './bundle.ts';
import { bullOptions, connectChecked, parseExecutorUrl, withTimeout, type ExecutorUrl } from './connection.ts';
import { remotePool } from './remote-pool.ts';
import { STALE_RUN_MS, listRuns, newRunId, registerRun, runRecord, unregisterRun, type RunRecord } from './runs.ts';
import { SharedStore } from './shared-store.ts';
import { TieredStore } from './tiered-store.ts';

export interface Coordinator {
  url: ExecutorUrl;
  run: RunRecord;
  /** The local store with the shared cache behind it (null with --no-cache). */
  store: Store | null;
  makePool: () => ChunkPool;
  close(): Promise<void>;
}

export interface CoordinatorOptions {
  executor: string;
  local: Store | null;
  blobDir: string | null;
  workersTimeoutMs: number;
  sets: Record<string, string>;
  emit: (e: RunEvent) => void;
}

/** Parses the URL and connects: fails fast, before the graph is loaded. */
export async function openExecutor(executor: string): Promise<{ url: ExecutorUrl; redis: Redis }> {
  const url = parseExecutorUrl(executor);
  return { url, redis: await connectChecked(url) };
}

/** Runs whose coordinator is gone (its process on this host is dead, or it has not refreshed its
 *  record for STALE_RUN_MS) and whose queue the workers have drained: their results are in the
 *  shared cache already; the queue and the record go. */
async function cleanDeadRuns(url: ExecutorUrl, redis: Redis): Promise<void> {
  const me = hostname();
  for (const r of await listRuns(redis)) {
    const [host, pid] = r.coordinator.split(':');
    const dead = Date.now() - r.alive > STALE_RUN_MS || (host === me && !pidAlive(Number(pid)));
    if (!dead) continue;
    const q = new Queue(r.queue, { connection: bullOptions(url) });
    try {
      const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => !n)) {
        await q.obliterate({ force: true });
        await unregisterRun(redis, r.runId);
      }
    } finally {
      await q.close();
    }
  }
}

export async function startCoordinator(conn: Awaited<ReturnType<typeof openExecutor>>, g: LoadedGraph, o: CoordinatorOptions): Promise<Coordinator> {
  const { url, redis } = conn;
  try {
    return await setUp(url, redis, g, o);
  } catch (err) {
    redis.disconnect(); // an open connection would keep the process alive after the error
    throw err;
  }
}

async function setUp(url: ExecutorUrl, redis: Redis, g: LoadedGraph, o: CoordinatorOptions): Promise<Coordinator> {
  await cleanDeadRuns(url, redis);
  const shared = new SharedStore(redis, o.blobDir, url.shown);
  const { codeHash } = await shipCode(redis, g.path);
  const run = runRecord(newRunId(g.plan.graph), g.plan.graph, codeHash, o.blobDir);
  await registerRun(redis, run);
  let store: Store | null = null;
  if (o.local) {
    const t = new TieredStore(o.local, shared, g.plan.graph);
    await t.prefetchAll();
    store = t;
  }
  return {
    url, run, store,
    makePool: () => remotePool({ url, redis, run, graphPath: g.path, sets: o.sets, cache: o.local !== null, shared, workersTimeoutMs: o.workersTimeoutMs, emit: o.emit }),
    async close() {
      await withTimeout(unregisterRun(redis, run.runId), 3000, 'unregistering').catch(() => {});
      redis.disconnect();
    },
  };
}

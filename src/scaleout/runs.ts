// The registry of runs a Redis serves: the coordinator registers its run (queue, graph, hepflow
// version, code hash) and refreshes `alive`; workers poll the registry to find queues to serve.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { HEPFLOW_ROOT } from './bundle.ts';
import { RUNS, WORKERS, queueName } from './keys.ts';

export const HEPFLOW_VERSION: string = (JSON.parse(readFileSync(join(HEPFLOW_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface RunRecord {
  runId: string;
  queue: string;
  graph: string;
  version: string;
  codeHash: string;
  /** Large blobs go there (shared directory) rather than into Redis. */
  blobDir: string | null;
  coordinator: string;
  startedAt: number;
  /** Last refresh by the coordinator (ms): a run not refreshed for STALE_RUN_MS is dropped by workers. */
  alive: number;
}

export const STALE_RUN_MS = 120_000;
/** A worker not seen for this long is not counted as connected. */
export const WORKER_SEEN_MS = 15_000;

export function newRunId(graph: string): string {
  const safe = graph.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${safe}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function runRecord(runId: string, graph: string, codeHash: string, blobDir: string | null): RunRecord {
  const now = Date.now();
  return { runId, queue: queueName(runId), graph, version: HEPFLOW_VERSION, codeHash, blobDir, coordinator: `${hostname()}:${process.pid}`, startedAt: now, alive: now };
}

export async function registerRun(redis: Redis, rec: RunRecord): Promise<void> {
  await redis.hset(RUNS, rec.runId, JSON.stringify({ ...rec, alive: Date.now() }));
}

export async function unregisterRun(redis: Redis, runId: string): Promise<void> {
  await redis.hdel(RUNS, runId);
}

export async function listRuns(redis: Redis): Promise<RunRecord[]> {
  const all = await redis.hgetall(RUNS);
  return Object.values(all).map((s) => JSON.parse(s) as RunRecord);
}

export async function liveWorkers(redis: Redis, now = Date.now()): Promise<number> {
  return redis.zcount(WORKERS, now - WORKER_SEEN_MS, '+inf');
}

// `flow worker redis://...`: serves every run registered on that Redis. Per run one BullMQ Worker
// on the run's queue; `slots` jobs at a time over all runs. A job: check the hepflow version,
// fetch and verify the shipped code, rebuild the graph (once per code hash and --set values),
// check that every node's identity matches the coordinator's, run the chunk task against the
// tiered cache (own LMDB + shared store) and hand the partials over through the blob store.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { QueueEventsProducer, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Store } from '../../cache/types.ts';
import { runChunkTask, type ChunkTask } from '../engine/chunk-task.ts';
import { keyVersion, nodeBase } from '../engine/keys.ts';
import { loadGraph, type LoadedGraph } from '../engine/load.ts';
import type { NodeTask } from '../engine/pool.ts';
import { materialiseCode } from './bundle.ts';
import { bullOptions, withTimeout, type ExecutorUrl } from './connection.ts';
import { WORKERS } from './keys.ts';
import { prefetchChunkKeys } from './chunk-keys.ts';
import { HEPFLOW_VERSION, STALE_RUN_MS, listRuns, type RunRecord } from './runs.ts';
import { SharedStore } from './shared-store.ts';
import { TieredStore } from './tiered-store.ts';
import { pack, unpack, type JobData, type JobResult, type WireChunkResult } from './wire.ts';
import { workerEventFields, type WorkerState } from './worker-events.ts';

export interface WorkerOptions {
  url: ExecutorUrl;
  redis: Redis;
  slots: number;
  /** null: --no-cache (no local L1; the shared store still carries results). */
  local: Store | null;
  cacheDir: string;
  blobDir: string | null;
  id: string;
  /** BullMQ lock/stall timings (tests shorten them). */
  lockMs: number;
  stalledMs: number;
  log: (line: string) => void;
  /** Log every job as it starts. */
  verbose: boolean;
}

const HEARTBEAT_MS = 5000;
const POLL_MS = 1000;

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const host = hostname();
  const served = new Map<string, { worker: Worker | null; events: QueueEventsProducer; shared: SharedStore; chunks: number; evts: number }>();
  const graphs = new Map<string, Promise<LoadedGraph>>();
  const tiers = new Map<string, TieredStore>();
  const sharedFor = (run: RunRecord): SharedStore => new SharedStore(o.redis, o.blobDir ?? run.blobDir, o.url.shown);
  const slots = semaphore(o.slots);
  let busy = 0;
  let stopping = false;

  const publish = async (runId: string, state: WorkerState, message?: string): Promise<void> => {
    const s = served.get(runId);
    if (!s) return;
    await s.events.publishEvent(workerEventFields({ id: o.id, host, pid: process.pid, state, slots: o.slots, busy, chunks: s.chunks, events: s.evts, ...(message ? { message } : {}) })).catch(() => {});
  };

  const graphFor = (codeHash: string, sets: Record<string, string>): Promise<LoadedGraph> => {
    const id = `${codeHash}\0${JSON.stringify(sets)}`;
    let g = graphs.get(id);
    if (!g) {
      g = materialiseCode(o.redis, codeHash, join(o.cacheDir, 'code')).then((path) => loadGraph(path, sets));
      g.catch(() => graphs.delete(id)); // a failed fetch is tried again by the next job
      graphs.set(id, g);
    }
    return g;
  };

  const storeFor = (graph: string, shared: SharedStore): TieredStore | null => {
    if (!o.local) return null;
    const id = `${graph}\0${shared.blobDir}`;
    let t = tiers.get(id);
    if (!t) tiers.set(id, (t = new TieredStore(o.local, shared, graph)));
    return t;
  };

  const runJob = async (job: Job<JobData>): Promise<JobResult> => {
    const d = job.data;
    if (d.version !== HEPFLOW_VERSION) throw new Error(refusal(o.id, host, d.version));
    const shared = served.get(d.runId)?.shared;
    if (!shared) throw new Error(`worker ${o.id}: run ${d.runId} is not registered`);
    const release = await slots();
    busy++;
    if (o.verbose) o.log(`job ${job.id} (${d.kind}) of run ${d.runId}`);
    const t0 = performance.now();
    try {
      const g = await graphFor(d.codeHash, d.sets);
      const task = unpack<ChunkTask | NodeTask>(d.task);
      if (task.type === 'node-task') {
        const node = g.plan.nodes.get(task.node);
        const fn = node?.kind.tasks?.[task.task];
        if (!node || typeof fn !== 'function') throw new Error(`node '${task.node}': no task '${task.task}' in the worker's graph`);
        const value = await fn.call(node.kind, task.item, node.params);
        return { worker: o.id, host, events: 0, seconds: (performance.now() - t0) / 1000, value: pack(value) };
      }
      checkSameGraph(task, g, o.id);
      const store = d.cache ? storeFor(d.graph, shared) : null;
      if (store) await prefetchChunkKeys(task, store);
      let r;
      try {
        r = await runChunkTask({ ...task, graphPath: g.path, cacheDir: store ? o.cacheDir : null }, g.plan, store);
      } catch (err) {
        throw new Error(`${(err as Error).message.split('\n')[0]!.replaceAll(g.path, task.graphPath)} [worker ${o.id}]`);
      }
      const wire: WireChunkResult = {
        logs: r.logs,
        // a node's code failing is data (the coordinator retries or fails the group as locally)
        ...(r.failure ? { failure: r.failure } : {}),
        worker: o.id,
        nodes: await Promise.all(r.nodes.map(async ({ partial, ...n }) => ({
          ...n,
          ...(partial ? { partial: { meta: partial.meta, digests: await Promise.all(partial.payloads.map((p) => shared.putBlob(p))) } } : {}),
        }))),
      };
      const events = task.nodes.length ? (r.nodes.find((n) => n.name === task.nodes[0]!.name)?.events ?? 0) : 0;
      const s = served.get(d.runId);
      if (s) {
        s.chunks++;
        s.evts += events;
      }
      return { worker: o.id, host, events, seconds: (performance.now() - t0) / 1000, value: pack(wire) };
    } finally {
      busy--;
      release();
    }
  };

  const serve = async (run: RunRecord): Promise<void> => {
    const events = new QueueEventsProducer(run.queue, { connection: bullOptions(o.url) });
    events.on('error', () => {});
    const entry = { worker: null as Worker | null, events, shared: sharedFor(run), chunks: 0, evts: 0 };
    served.set(run.runId, entry);
    if (run.version !== HEPFLOW_VERSION) {
      const msg = refusal(o.id, host, run.version);
      o.log(msg);
      await publish(run.runId, 'refused', msg);
      return; // registered with no worker: the run is not looked at again
    }
    const w = new Worker<JobData, JobResult>(run.queue, runJob, {
      connection: bullOptions(o.url), concurrency: o.slots, lockDuration: o.lockMs, stalledInterval: o.stalledMs, maxStalledCount: 3,
    });
    w.on('error', () => {});
    w.on('failed', (job, err) => {
      o.log(`job ${job?.id ?? '?'} of ${run.runId} failed: ${err.message.split('\n')[0]}`);
      void publish(run.runId, 'failed', err.message.split('\n')[0]);
    });
    entry.worker = w;
    o.log(`serving run ${run.runId} (graph ${run.graph})`);
    await publish(run.runId, 'start');
  };

  const drop = async (runId: string): Promise<void> => {
    const s = served.get(runId);
    if (!s) return;
    served.delete(runId);
    await s.worker?.close().catch(() => {});
    await s.events.close().catch(() => {});
  };

  const poll = async (): Promise<void> => {
    const runs = await listRuns(o.redis);
    const now = Date.now();
    const live = new Set(runs.filter((r) => now - r.alive < STALE_RUN_MS).map((r) => r.runId));
    for (const r of runs) if (live.has(r.runId) && !served.has(r.runId)) await serve(r);
    for (const id of [...served.keys()]) if (!live.has(id)) await drop(id);
  };

  const beat = async (): Promise<void> => {
    await o.redis.zadd(WORKERS, Date.now(), o.id);
    for (const id of served.keys()) if (served.get(id)!.worker) await publish(id, 'heartbeat');
  };

  await beat();
  await poll();
  const loop = async (fn: () => Promise<void>, ms: number): Promise<void> => {
    while (!stopping) {
      await fn().catch(() => {}); // Redis away: ioredis reconnects; the next round tries again
      await sleep(ms);
    }
  };
  const loops = [loop(poll, POLL_MS), loop(beat, HEARTBEAT_MS)];
  return {
    async stop() {
      stopping = true;
      // running jobs finish (BullMQ's close waits for them); Redis gone: do not wait for it forever
      const bounded = (p: Promise<unknown>, ms: number) => withTimeout(p, ms, 'stopping').catch(() => {});
      for (const id of served.keys()) if (served.get(id)!.worker) await bounded(publish(id, 'stop'), 3000);
      await bounded(Promise.all([...served.keys()].map(drop)), o.lockMs + 5000);
      await bounded(o.redis.zrem(WORKERS, o.id), 3000);
      await Promise.race([Promise.all(loops), sleep(POLL_MS + 100)]);
    },
  };
}

function refusal(id: string, host: string, wanted: string): string {
  return `worker ${id} on ${host} runs hepflow ${HEPFLOW_VERSION}, the run needs ${wanted}: refused (install the coordinator's hepflow version on the workers)`;
}

/** The worker's rebuilt graph must give every node of the task the coordinator's identity (kind
 *  version, params, code): otherwise it would compute, and cache, something else under that key. */
function checkSameGraph(task: ChunkTask, g: LoadedGraph, id: string): void {
  for (const t of task.nodes) {
    const n = g.plan.nodes.get(t.name);
    if (!n) throw new Error(`worker ${id}: node '${t.name}' is not in its rebuild of graph '${task.graph}'`);
    const b = nodeBase(n.kind.kind, keyVersion(n.kind.version, task.strict), n.params, g.params, g.context);
    if (b.hash !== t.base.hash) {
      const what = b.version !== t.base.version ? `kind version ${b.version} vs ${t.base.version}` : b.code !== t.base.code ? 'code' : b.params !== t.base.params ? 'params' : 'kind';
      throw new Error(`node '${t.name}' (${n.kind.kind}): worker ${id} rebuilds it differently from the coordinator (${what} differ): refused`);
    }
  }
}

function semaphore(n: number): () => Promise<() => void> {
  let free = n;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return () => {
    if (free > 0) {
      free--;
      return Promise.resolve(release);
    }
    return new Promise((res) => waiting.push(() => res(release)));
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref?.());

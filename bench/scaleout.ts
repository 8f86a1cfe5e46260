// `npm run bench -- scaleout --json`: the BullMQ/Redis executor against the piscina pool.
//   scaleout.job_ms            enqueue -> result of an empty ctx.parallel item, 1 worker process
//   scaleout.jobs_per_s        empty items through 1 worker process with --concurrency 8
//   scaleout.coordinator_jobs_per_s  a synthetic result stream (an in-process BullMQ worker that
//                              answers at once): what the coordinator + Redis sustain
//   scaleout.agc_khz_{piscina,redis}_{1,2}  graphs/ttbar.ts chunk processing (read, select, fill):
//                              events / wall from the skim's start to the fill's end, W threads vs
//                              W worker processes on the same cores, cold cache each time
// Small by default (HEPFLOW_BENCH_SCALEOUT_EVENTS, --quick); needs redis-server on the PATH.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Worker } from 'bullmq';
import { redisMissing, runFlow, spawnFlow, startRedis, startWorkerProc, tempDir, ROOT } from '../test/helpers/scaleout.ts';

interface Figure { name: string; value: number; unit: string; note?: string }
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function echoGraph(): string {
  const dir = tempDir('bench');
  const path = join(dir, 'echo.ts');
  writeFileSync(path, `import { graph, z, defineNodeKind } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
const echoKind = defineNodeKind({
  kind: 'echo', level: 'global', version: '1', description: 'n empty ctx.parallel items',
  params: z.object({ n: z.number().int() }), inputs: [], output: 'Json',
  tasks: { noop: (i: unknown) => i },
  async run(_inputs: [], p: { n: number }, ctx: any) {
    return { n: (await ctx.parallel('noop', Array.from({ length: p.n }, (_, i) => i))).length };
  },
});
export default graph('echo', { params: z.object({ n: z.number().int().default(10) }) }, (g, p) => {
  g.node(echoKind, 'echo', [], { n: p.n });
});
`);
  return path;
}

type Done = { nodes: Record<string, { seconds: number; events?: number }> };
function events(out: string): Array<{ type: string; node?: string; t: number }> {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
const doneOf = (out: string): Done => events(out).find((e) => e.type === 'run-done') as unknown as Done;

async function echoSeconds(graph: string, n: number, args: string[]): Promise<number> {
  const r = await runFlow(['run', graph, '--set', `n=${n}`, '--no-cache', '--ui', 'json', ...args], { cwd: tempDir('echo') });
  if (r.code !== 0) throw new Error(`echo run failed: ${r.err}`);
  return doneOf(r.out).nodes.echo!.seconds;
}

async function agcKhz(nEvents: number, args: string[]): Promise<number> {
  const dir = tempDir('agc');
  const r = await runFlow(['run', 'graphs/ttbar.ts', '--set', `events=${nEvents}`, '--set', 'fit=false', '--chunk-size', String(Math.ceil(nEvents / 4)), '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json', ...args]);
  if (r.code !== 0) throw new Error(`ttbar run failed: ${r.err}`);
  const ev = events(r.out);
  const start = ev.find((e) => e.type === 'node-start' && e.node === 'events')!.t;
  const end = ev.find((e) => e.type === 'node-done' && e.node === 'fill')!.t;
  const n = (doneOf(r.out).nodes.events!.events ?? 0);
  return n / ((end - start) / 1000) / 1000;
}

async function synthetic(url: string, n: number): Promise<number> {
  const { openExecutor, startCoordinator } = await import('../src/scaleout/coordinator.ts');
  const { loadGraph } = await import('../src/engine/load.ts');
  const { bullOptions } = await import('../src/scaleout/connection.ts');
  const { pack } = await import('../src/scaleout/wire.ts');
  const conn = await openExecutor(url);
  const g = await loadGraph(echoGraph(), {});
  const c = await startCoordinator(conn, g, { executor: url, local: null, blobDir: null, workersTimeoutMs: 60_000, sets: {}, emit: () => {} });
  const answer = { worker: 'synthetic', host: hostname(), events: 0, seconds: 0, value: pack(0) };
  const w = new Worker(c.run.queue, async () => answer, { connection: bullOptions(conn.url), concurrency: 64 });
  const pool = c.makePool();
  try {
    const task = { type: 'node-task' as const, graphPath: g.path, sets: {}, node: 'echo', task: 'noop', item: 0 };
    await pool.runNodeTask(task);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 256 }, async () => {
      while (next < n) {
        next++;
        await pool.runNodeTask(task);
      }
    }));
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await pool.destroy();
    await w.close();
    await c.close();
  }
}

export async function run(o: { quick: boolean }): Promise<Figure[]> {
  if (redisMissing) return [{ name: 'scaleout.skipped', value: 0, unit: '', note: redisMissing }];
  const out: Figure[] = [];
  const redis = await startRedis();
  const graph = echoGraph();
  const agcEvents = Number(process.env.HEPFLOW_BENCH_SCALEOUT_EVENTS ?? (o.quick ? 8000 : 40_000));
  try {
    const w = await startWorkerProc(redis.url);
    await echoSeconds(graph, 40, ['--executor', redis.url, '--workers', '1']); // the worker imports the graph once
    const serial = await echoSeconds(graph, 40, ['--executor', redis.url, '--workers', '1']);
    out.push({ name: 'scaleout.job_ms', value: round((serial / 40) * 1000), unit: 'ms', note: 'enqueue -> result per empty job, 1 worker process, 2 jobs in flight' });
    await w.kill();
    const many = o.quick ? 200 : 800;
    const w8 = spawnFlow(['worker', redis.url, '--concurrency', '8', '--cache-dir', join(tempDir('worker8'), 'cache')]);
    await w8.waitFor('serving redis', 30_000);
    await echoSeconds(graph, many, ['--executor', redis.url, '--workers', '64']);
    const thr = await echoSeconds(graph, many, ['--executor', redis.url, '--workers', '64']);
    out.push({ name: 'scaleout.jobs_per_s', value: round(many / thr, 0), unit: 'jobs/s', note: `${many} empty jobs, 1 worker process --concurrency 8, 128 in flight` });
    await w8.kill();
    const syn = o.quick ? 500 : 2000;
    out.push({ name: 'scaleout.coordinator_jobs_per_s', value: round(await synthetic(redis.url, syn), 0), unit: 'jobs/s', note: `${syn} results from an in-process BullMQ worker answering at once (coordinator + Redis + the answering worker on the same 2 cores)` });

    for (const n of [1, 2]) {
      const local = await agcKhz(agcEvents, ['--workers', String(n)]);
      const ws = await Promise.all(Array.from({ length: n }, (_, i) => startWorkerProc(redis.url, { id: `agc${i}` })));
      let remote: number;
      try {
        remote = await agcKhz(agcEvents, ['--executor', redis.url]);
      } finally {
        for (const x of ws) await x.kill();
      }
      out.push({ name: `scaleout.agc_khz_piscina_${n}`, value: round(local, 1), unit: 'kHz', note: `graphs/ttbar.ts, ${agcEvents} ttbar events (+ the other samples), ${n} thread(s), cold cache` });
      out.push({ name: `scaleout.agc_khz_redis_${n}`, value: round(remote, 1), unit: 'kHz', note: `the same over Redis, ${n} worker process(es); ${round(remote / local, 2)}x piscina` });
    }
  } finally {
    await redis.stop();
  }
  return out;
}

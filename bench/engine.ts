// Engine benchmarks (`npm run bench -- engine [--json] [--quick]`), on the toy graph of the engine
// tests (float64 files -> read -> map -> hist, hist-raw -> summary, total), one chunk per file:
//  - engine.noop_rerun_s / _cpu_s / _fraction: a no-change re-run of a 100-chunk graph (whole
//    `flow run` process) against the cold run in the same benchmark run
//  - engine.cache_overhead_ms_per_chunk vs engine.chunk_compute_ms: the engine's per-chunk path
//    with a store (all misses) vs without, best of several runs
//  - engine.speedup_2_workers: cold --no-cache run with 2 workers vs 1 (CPU-heavy map function)
//  - engine.peak_rss_N_files_mb: max RSS of `flow run` (main + worker threads) for 10/100/1000 files
// plus the cache store's own figures (bench/cache.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { tempDir, writeFloats, writeToyGraph, CLI } from '../test/engine/harness.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

// A per-event cost of the order of a real selection (~10 us/event), so the cold run is not all overhead.
const heavy = (iterations: number) => `(x) => { let s = x; for (let k = 0; k < ${iterations}; k++) s = Math.sin(s) + x; return s; }`;
const round = (x: number, d = 3) => Number(x.toPrecision(d));

function project(files: number, entries: number, mapFn?: string): string {
  const dir = tempDir('bench-engine');
  mkdirSync(join(dir, 'data'));
  for (let i = 0; i < files; i++) writeFloats(join(dir, 'data', `f${String(i).padStart(3, '0')}.f64`), entries, 1 + i);
  writeToyGraph(dir, { mapFn });
  return dir;
}

export interface Usage {
  wall: number;
  /** user + system CPU seconds of the whole process (main + worker threads) */
  cpu: number;
  rssMb: number;
  stdout: string;
}

/** `flow ARGS` in a child process that reports its own resource usage at exit. */
export async function measure(args: string[], cwd: string): Promise<Usage> {
  const wrapper = join(cwd, 'usage.mjs');
  const src = [
    `process.on('exit', () => process.stderr.write('\\nUSAGE ' + JSON.stringify(process.resourceUsage()) + '\\n'));`,
    `await import(${JSON.stringify(CLI)});`,
  ];
  writeFileSync(wrapper, `${src.join('\n')}\n`);
  const { spawn } = await import('node:child_process');
  const t = performance.now();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [wrapper, ...args], { cwd, env: { ...process.env, CI: '1' } });
    let err = '';
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => {
      const wall = (performance.now() - t) / 1000;
      const m = /USAGE (\{.*\})/.exec(err);
      if (code !== 0 || !m) return rej(new Error(`flow ${args.join(' ')} failed (${code}): ${err}`));
      const u = JSON.parse(m[1]!) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
      res({ wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rssMb: u.maxRSS / 1024, stdout: out });
    });
  });
}

/** One chunk of the toy graph: the compute of its 4 chunk nodes, and separately what the cache adds
 *  (a missed lookup, encode, hash and durable put of each of the 4 results, committed together as
 *  the engine does), each the best of `reps` (timing the two apart keeps the small overhead out of
 *  the noise of a loaded machine). */
async function chunkOverhead(dir: string, entries: number, reps: number): Promise<{ computeMs: number; overheadMs: number }> {
  const { loadGraph } = await import('../src/engine/load.ts');
  const { codecOf, hashEncoded } = await import('../src/engine/cached-value.ts');
  const { openStore } = await import('../cache/store.ts');
  const { fingerprint } = await import('../cache/fingerprint.ts');
  const g = await loadGraph(join(dir, 'toy.ts'), { data: join(dir, 'data') });
  const members = g.plan.groups.get('read')!;
  const path = join(dir, 'data', 'f000.f64');
  const file = { path, sample: 'toy', process: 'toy', variation: 'nominal', fingerprint: await fingerprint(path) };
  const chunk = { id: 'bench', file, tree: 'x', start: 0, stop: entries };
  const ctx = (node: string) => ({ graph: 'toy', node, chunk, seed: 1, signal: new AbortController().signal, log() {}, warn() {} });
  let computeMs = Infinity;
  let values = new Map<string, unknown>();
  for (let i = 0; i < reps; i++) {
    const v = new Map<string, unknown>();
    const t = performance.now();
    for (const m of members) {
      const kind = m.kind as import('../src/engine/node-kind.ts').ChunkNodeKind;
      v.set(m.name, await kind.runChunk(m.role === 'source' ? undefined : (v.get(m.inputs[0]!) as never), m.params, ctx(m.name)));
    }
    computeMs = Math.min(computeMs, performance.now() - t);
    values = v;
  }
  const store = await openStore(join(dir, 'overhead-cache'));
  let overheadMs = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await Promise.all(members.map((m) => {
      const key = `bench-${i}-${m.name}`;
      if (store.get(key)) throw new Error('unexpected hit');
      const enc = codecOf(m.kind as import('../src/engine/node-kind.ts').ChunkNodeKind).encode(values.get(m.name));
      return store.put({ key, label: { node: m.name }, meta: { c: enc.meta, n: entries }, payloads: enc.payloads, outputHash: hashEncoded(enc) });
    }));
    overheadMs = Math.min(overheadMs, performance.now() - t);
  }
  await store.close();
  return { computeMs, overheadMs };
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const figures: Figure[] = [];
  const nFiles = 100;
  const entries = opts.quick ? 5_000 : 50_000;
  const HEAVY = heavy(opts.quick ? 40 : 100);
  const base = ['run', 'toy.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--chunk-size', String(entries), '--workers', '2'];

  // cold run vs no-change re-run (100 chunks)
  const dir = project(nFiles, entries, HEAVY);
  const cold = await measure(base, dir);
  const reruns: Usage[] = [];
  for (let i = 0; i < 3; i++) reruns.push(await measure(base, dir));
  const noop = reruns.reduce((a, b) => (b.wall < a.wall ? b : a));
  figures.push({ name: 'engine.cold_run_s', value: round(cold.wall), unit: 's', note: `${nFiles} chunks x ${entries} entries, 2 workers, flow run process wall (CPU ${round(cold.cpu)} s)` });
  figures.push({ name: 'engine.noop_rerun_s', value: round(noop.wall), unit: 's', note: 'no-change re-run of the same 100-chunk graph, best of 3; target < 0.5 s' });
  figures.push({ name: 'engine.noop_rerun_cpu_s', value: round(noop.cpu), unit: 's', note: 'user+system CPU of that re-run (robust to a loaded machine)' });
  figures.push({ name: 'engine.noop_rerun_fraction', value: round((100 * noop.wall) / cold.wall), unit: '%', note: 'of the cold run, target < 5%' });

  // cache overhead per chunk (the engine's per-chunk path in this thread)
  const oh = await chunkOverhead(dir, entries, opts.quick ? 3 : 7);
  figures.push({ name: 'engine.chunk_compute_ms', value: round(oh.computeMs), unit: 'ms', note: `read+map+2 hists of one ${entries}-entry chunk (best of runs)` });
  figures.push({ name: 'engine.cache_overhead_ms_per_chunk', value: round(oh.overheadMs), unit: 'ms', note: `4 missed lookups + Arrow/JSON encode + sha256 + durable puts of the 4 per-chunk results: ${round((100 * oh.overheadMs) / oh.computeMs)}% of the compute` });

  // worker scaling
  const nocache = ['run', 'toy.ts', '--ui', 'json', '--no-cache', '--out', 'out-nc', '--chunk-size', String(entries)];
  const w1 = (await measure([...nocache, '--workers', '1'], dir)).wall;
  const w2 = (await measure([...nocache, '--workers', '2'], dir)).wall;
  figures.push({ name: 'engine.speedup_2_workers', value: round(w1 / w2), unit: 'x', note: `cold --no-cache run: ${round(w1)} s with 1 worker, ${round(w2)} s with 2; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}` });
  rmSync(dir, { recursive: true, force: true });

  // memory vs number of files (one chunk each): max RSS is the GC's high-water mark, so it rises
  // until the heap reaches its steady state and then stays flat
  const rss: number[] = [];
  const counts = opts.quick ? [10, 100, 300] : [10, 100, 1000];
  for (const n of counts) {
    const d = project(n, 5_000);
    rss.push((await measure(['run', 'toy.ts', '--ui', 'json', '--no-cache', '--out', 'out', '--chunk-size', '5000', '--workers', '2'], d)).rssMb);
    rmSync(d, { recursive: true, force: true });
  }
  counts.forEach((n, i) => figures.push({ name: `engine.peak_rss_${n}_files_mb`, value: round(rss[i]!), unit: 'MB', note: i === counts.length - 1 ? `ratio to ${counts[1]} files: ${round(rss[i]! / rss[1]!)} (flat = 1)` : undefined }));

  try {
    const { cacheBenchmarks } = await import('./cache.ts');
    figures.push(...(await cacheBenchmarks(opts)));
  } catch (err) {
    figures.push({ name: 'engine.cache_bench_error', value: 0, unit: '', note: String((err as Error).message) });
  }
  return figures;
}

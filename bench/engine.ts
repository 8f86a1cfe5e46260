// Engine benchmarks (`npm run bench -- engine [--json] [--quick]`), on the toy graph of the engine
// tests (float64 files -> read -> map -> hist, hist-raw -> summary, total), one chunk per file:
//  - engine.noop_rerun_s / engine.noop_rerun_fraction: a no-change re-run of a 100-chunk graph
//    (whole `flow run` process, wall) against the cold run in the same benchmark run
//  - engine.cache_overhead_ms_per_chunk vs engine.chunk_compute_ms: lookup + store of the 4
//    per-chunk results (in-process, with cache vs --no-cache)
//  - engine.speedup_2_workers: cold --no-cache run with 2 workers vs 1 (CPU-heavy map function)
//  - engine.peak_rss_10_files_mb / _100_files_mb: max RSS of `flow run` (main + worker threads)
// plus the cache store's own figures (bench/cache.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { tempDir, writeFloats, writeToyGraph, CLI } from '../test/engine/harness.ts';
import type { RunEvent } from '../src/engine/events.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const HEAVY = '(x) => { let s = x; for (let k = 0; k < 40; k++) s = Math.sin(s) + x; return s; }';
const round = (x: number, d = 3) => Number(x.toPrecision(d));

function project(files: number, entries: number, mapFn?: string): string {
  const dir = tempDir('bench-engine');
  mkdirSync(join(dir, 'data'));
  for (let i = 0; i < files; i++) writeFloats(join(dir, 'data', `f${String(i).padStart(3, '0')}.f64`), entries, 1 + i);
  writeToyGraph(dir, { mapFn });
  return dir;
}

interface Usage {
  wall: number;
  /** user + system CPU seconds of the whole process (main + worker threads) */
  cpu: number;
  rssMb: number;
}

/** `flow ARGS` in a child process that reports its own resource usage at exit. */
async function measure(args: string[], cwd: string): Promise<Usage> {
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
    p.stdout.resume();
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => {
      const wall = (performance.now() - t) / 1000;
      const m = /USAGE (\{.*\})/.exec(err);
      if (code !== 0 || !m) return rej(new Error(`flow ${args.join(' ')} failed (${code}): ${err}`));
      const u = JSON.parse(m[1]!) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
      res({ wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rssMb: u.maxRSS / 1024 });
    });
  });
}

async function inProcess(dir: string, cache: boolean): Promise<{ seconds: number; chunks: number }> {
  const { loadGraph } = await import('../src/engine/load.ts');
  const { executeGraph } = await import('../src/engine/executor.ts');
  const { openStore } = await import('../cache/store.ts');
  const g = await loadGraph(join(dir, 'toy.ts'), { data: join(dir, 'data') });
  const cacheDir = join(dir, `inproc-cache-${Math.random().toString(36).slice(2)}`);
  const store = cache ? await openStore(cacheDir) : null;
  const t = performance.now();
  const done = await executeGraph(g, {
    workers: 0, store, cacheDir: cache ? cacheDir : null, outDir: join(dir, 'inproc-out'), force: [], retries: 0,
    chunkSize: 1_000_000, skipBadFiles: false, signal: new AbortController().signal, sets: {},
  }, new Subject<RunEvent>());
  const seconds = (performance.now() - t) / 1000;
  await store?.close();
  return { seconds, chunks: done.nodes.read!.chunks! };
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const figures: Figure[] = [];
  const nFiles = 100;
  const entries = opts.quick ? 5_000 : 20_000;
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

  // cache overhead per chunk (in-process, main thread)
  await inProcess(dir, false); // warm-up
  const nc = await inProcess(dir, false);
  const wc = await inProcess(dir, true);
  figures.push({ name: 'engine.chunk_compute_ms', value: round((1000 * nc.seconds) / nc.chunks), unit: 'ms', note: 'read+map+2 hists per chunk, no cache' });
  figures.push({ name: 'engine.cache_overhead_ms_per_chunk', value: round((1000 * (wc.seconds - nc.seconds)) / wc.chunks), unit: 'ms', note: 'lookup + store of the 4 per-chunk results (Arrow encode, sha256, blob write)' });

  // worker scaling
  const nocache = ['run', 'toy.ts', '--ui', 'json', '--no-cache', '--out', 'out-nc', '--chunk-size', String(entries)];
  const w1 = (await measure([...nocache, '--workers', '1'], dir)).wall;
  const w2 = (await measure([...nocache, '--workers', '2'], dir)).wall;
  figures.push({ name: 'engine.speedup_2_workers', value: round(w1 / w2), unit: 'x', note: `cold --no-cache run: ${round(w1)} s with 1 worker, ${round(w2)} s with 2; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}` });
  rmSync(dir, { recursive: true, force: true });

  // memory vs number of files (one chunk each)
  const d10 = project(10, entries);
  const d100 = project(100, entries);
  const rssArgs = ['run', 'toy.ts', '--ui', 'json', '--no-cache', '--out', 'out', '--chunk-size', String(entries), '--workers', '2'];
  const r10 = (await measure(rssArgs, d10)).rssMb;
  const r100 = (await measure(rssArgs, d100)).rssMb;
  figures.push({ name: 'engine.peak_rss_10_files_mb', value: round(r10), unit: 'MB' });
  figures.push({ name: 'engine.peak_rss_100_files_mb', value: round(r100), unit: 'MB', note: `ratio ${round(r100 / r10)} (flat = 1)` });
  rmSync(d10, { recursive: true, force: true });
  rmSync(d100, { recursive: true, force: true });

  try {
    const { cacheBenchmarks } = await import('./cache.ts');
    figures.push(...(await cacheBenchmarks(opts)));
  } catch (err) {
    figures.push({ name: 'engine.cache_bench_error', value: 0, unit: '', note: String((err as Error).message) });
  }
  return figures;
}

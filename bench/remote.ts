// Remote reading benchmark: the AGC branches (v1 selection) of a generated NanoAOD file read
// locally, through root:// and through XrdHttp from a local `xrootd` (loopback), alternated in
// one run (local, root, http, local, ...; medians of wall times), plus round trips per chunk and
// `xrdcp` of the whole file. Default 200k events; HEPFLOW_BENCH_REMOTE_EVENTS=1000000 for the
// issue's 1M. Skipped (one figure saying why) when xrootd is not installed.
//   node bench/run.ts remote [--json] [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGC_BRANCHES_V1 } from '../src/analysis/agc.ts';
import { writeSample } from '../src/gen/write.ts';
import { countingReads } from '../src/read-counter.ts';
import { openRootFile } from '../src/root/read/index.ts';
import { closeAllConnections } from '../src/root/read/xrootd/client.ts';
import { startXrootd, xrootdMissing } from '../test/helpers/xrootd-server.ts';

type Figure = { name: string; value: number; unit: string; note?: string };

const CHUNK = 50_000;
/** The AGC's own inputs (seed 001's table): 9 files, 22.9 GB, 10455719 events. */
const AGC_BYTES_PER_EVENT = 22.9e9 / 10_455_719;

interface Pass {
  seconds: number;
  bytes: number;
  requests: number;
  chunks: number;
}

async function readAll(location: string): Promise<Pass> {
  const t0 = performance.now();
  const { value: chunks, read } = await countingReads(async () => {
    const f = await openRootFile(location);
    const t = await f.tree('Events');
    let n = 0;
    for (const r of t.chunks(CHUNK)) {
      await t.read(AGC_BRANCHES_V1, r);
      n++;
    }
    await f.close();
    return n;
  });
  return { seconds: (performance.now() - t0) / 1000, bytes: read.bytes, requests: read.requests, chunks };
}

/** Requests of the chunk reads alone (the file opened, its metadata read, outside the count). */
async function requestsPerChunk(location: string): Promise<number> {
  const f = await openRootFile(location);
  const t = await f.tree('Events');
  let requests = 0;
  let chunks = 0;
  for (const r of t.chunks(CHUNK)) {
    const { read } = await countingReads(() => t.read(AGC_BRANCHES_V1, r));
    requests += read.requests;
    chunks++;
  }
  await f.close();
  return requests / chunks;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(o: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const why = xrootdMissing();
  if (why) return [{ name: 'remote.skipped', value: 0, unit: '', note: why }];
  const events = Number(process.env.HEPFLOW_BENCH_REMOTE_EVENTS ?? (o.quick ? 50_000 : 200_000));
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-bench-remote-'));
  const file = join(dir, 'nanoaod.root');
  await writeSample({ kind: 'nanoaod', events, out: file, seed: 1, compression: { algorithm: 'zstd', level: 3 } });
  const size = statSync(file).size;
  const srv = await startXrootd({ files: [file] });
  try {
    const where: Record<string, string> = { local: file, root: srv.url('/nanoaod.root') };
    if (srv.httpPort) where.http = srv.httpUrl('/nanoaod.root');
    const rounds = o.quick ? 2 : 5;
    const passes: Record<string, Pass[]> = {};
    await readAll(where.root!); // warm the page cache and the connection
    for (let r = 0; r < rounds; r++) for (const [k, loc] of Object.entries(where)) (passes[k] ??= []).push(await readAll(loc));
    const secs = (k: string) => median(passes[k]!.map((p) => p.seconds));
    const figures: Figure[] = [];
    const note = `${events} events, ${AGC_BRANCHES_V1.length} AGC branches, ${(size / 1e6).toFixed(1)} MB file, chunks of ${CHUNK}, loopback, wall time, median of ${rounds}`;
    for (const k of Object.keys(where)) {
      figures.push({ name: `remote.${k}_events_per_s`, value: events / secs(k), unit: 'events/s', note });
      figures.push({ name: `remote.${k}_read_MB_per_s`, value: passes[k]![0]!.bytes / 1e6 / secs(k), unit: 'MB/s', note: 'bytes fetched from storage / wall time' });
    }
    figures.push({ name: 'remote.root_vs_local', value: secs('local') / secs('root'), unit: 'x', note: 'throughput ratio (target >= 0.8)' });
    if (where.http) figures.push({ name: 'remote.http_vs_local', value: secs('local') / secs('http'), unit: 'x', note: 'XrdHttp throughput ratio' });
    figures.push({ name: 'remote.root_requests_per_chunk', value: await requestsPerChunk(where.root!), unit: 'requests', note: 'kXR_readv per chunk and branch set (target 1)' });
    if (where.http) figures.push({ name: 'remote.http_requests_per_chunk', value: await requestsPerChunk(where.http), unit: 'requests', note: 'ranged GETs per chunk' });
    const fraction = passes.root![0]!.bytes / size;
    figures.push({ name: 'remote.read_fraction', value: fraction, unit: '', note: 'bytes read for the AGC branches / file size (this file has few branches; the AGC quotes 4% of real NanoAOD)' });
    figures.push({ name: 'remote.bytes_per_event_read', value: passes.root![0]!.bytes / events, unit: 'B/event' });
    figures.push({ name: 'remote.agc_4pct_bytes_per_event', value: 0.04 * AGC_BYTES_PER_EVENT, unit: 'B/event', note: `4% of the AGC inputs' ${AGC_BYTES_PER_EVENT.toFixed(0)} B/event (22.9 GB / 10.46M events)` });
    const copy = spawnSync('xrdcp', ['--version'], { encoding: 'utf8' });
    if (!copy.error) {
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const c = spawnSync('xrdcp', ['-f', '-s', where.root!, join(dir, 'copy.root')], { encoding: 'utf8', timeout: 120_000 });
        if (c.status !== 0) throw new Error(`xrdcp failed: ${c.stderr}`);
        times.push((performance.now() - t0) / 1000);
      }
      figures.push({ name: 'remote.xrdcp_whole_file_MB_per_s', value: size / 1e6 / median(times), unit: 'MB/s', note: 'xrdcp of the whole file, process start included' });
      figures.push({ name: 'remote.xrdcp_seconds_vs_root_read', value: median(times) / secs('root'), unit: 'x', note: 'xrdcp time / reading the AGC branches over root://' });
    }
    return figures;
  } finally {
    await closeAllConnections();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const f of await run({ json: process.argv.includes('--json'), quick: process.argv.includes('--quick') })) console.log(JSON.stringify(f));
}

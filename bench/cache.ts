// Cache store benchmarks (called from bench/engine.ts; `node bench/cache.ts [--quick]` alone).
// The figure that matters to users: opening the cache and looking up 100 chunk entries, which is
// all a no-change re-run of a 100-chunk graph does, must stay far below the 0.5 s budget.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomFillSync } from 'node:crypto';
import { openStore } from '../cache/store.ts';
import { canonicalJson, sha256 } from '../cache/hash.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) randomFillSync(out, off, Math.min(65536, n - off));
  return out;
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));

export async function cacheBenchmarks(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-bench-cache-'));
  const nSmall = opts.quick ? 50 : 300;
  const nBig = opts.quick ? 5 : 30;
  const meta = (i: number): unknown => ({ events: 100_000 + i, sumw: [1.5 * i, 2.5], hist: new Float64Array(64).fill(i) });
  try {
    let store = await openStore(dir);

    // small entries (meta only), each put awaited: the latency a single chunk result sees
    let t = performance.now();
    for (let i = 0; i < nSmall; i++) await store.put({ key: `small-${i}`, label: { node: 'fill', chunk: String(i) }, meta: meta(i), payloads: [] });
    figures.push({ name: 'engine.cache_put_small_ms', value: round((performance.now() - t) / nSmall), unit: 'ms', note: 'meta-only entry, one awaited put (one LMDB commit) each' });

    // the same, issued together: lmdb batches them into few transactions
    t = performance.now();
    await Promise.all(Array.from({ length: nSmall }, (_, i) => store.put({ key: `batch-${i}`, label: {}, meta: meta(i), payloads: [] })));
    figures.push({ name: 'engine.cache_put_small_batched_us', value: round(((performance.now() - t) / nSmall) * 1000), unit: 'us', note: `${nSmall} concurrent puts` });

    // 1 MB payloads: sha256 + temp file + fsync + rename + dir fsync + commit
    const big = Array.from({ length: nBig }, () => randomBytes(1 << 20));
    t = performance.now();
    for (let i = 0; i < nBig; i++) await store.put({ key: `big-${i}`, label: { node: 'skim', chunk: String(i) }, meta: meta(i), payloads: [big[i]!] });
    figures.push({ name: 'engine.cache_put_1mb_ms', value: round((performance.now() - t) / nBig), unit: 'ms', note: 'durable (fsync of file and directory)' });

    // per-chunk overhead of a cold run: a missed lookup, then storing a skim (2 MB) and a histogram
    const skim = randomBytes(2 << 20);
    t = performance.now();
    for (let i = 0; i < nBig; i++) {
      if (store.get(`chunk-skim-${i}`) || store.get(`chunk-hist-${i}`)) throw new Error('bench: unexpected hit');
      skim[0] = i; // distinct content per chunk
      await Promise.all([
        store.put({ key: `chunk-skim-${i}`, label: { node: 'skim', chunk: String(i) }, meta: { events: 200_000 }, payloads: [skim] }),
        store.put({ key: `chunk-hist-${i}`, label: { node: 'fill', chunk: String(i) }, meta: meta(i), payloads: [] }),
      ]);
    }
    figures.push({ name: 'engine.cache_overhead_per_chunk_ms', value: round((performance.now() - t) / nBig), unit: 'ms', note: 'cold chunk: 2 missed lookups + store a 2 MB skim and a histogram' });

    t = performance.now();
    for (let i = 0; i < nBig; i++) await store.readBlob(store.get(`big-${i}`)!.blobs[0]!);
    const readMs = (performance.now() - t) / nBig;
    figures.push({ name: 'engine.cache_read_1mb_ms', value: round(readMs), unit: 'ms', note: 'get + readBlob with sha256 verification' });
    figures.push({ name: 'engine.cache_read_mb_per_s', value: round(1000 / readMs), unit: 'MB/s' });

    // lookups: get() of an existing entry (index read + blob presence check) and of a miss
    const reps = opts.quick ? 2000 : 20_000;
    t = performance.now();
    for (let i = 0; i < reps; i++) store.get(`small-${i % nSmall}`);
    const hitUs = ((performance.now() - t) / reps) * 1000;
    figures.push({ name: 'engine.cache_get_hit_us', value: round(hitUs), unit: 'us', note: 'meta-only entry' });
    t = performance.now();
    for (let i = 0; i < reps; i++) store.get(`big-${i % nBig}`);
    figures.push({ name: 'engine.cache_get_hit_blob_us', value: round(((performance.now() - t) / reps) * 1000), unit: 'us', note: 'entry with one blob file (stat)' });
    figures.push({ name: 'engine.cache_lookups_per_s', value: round(1e6 / hitUs), unit: '1/s' });
    await store.close();

    // what a no-change re-run of a 100-chunk graph does: open, 100 lookups + touches, close
    t = performance.now();
    store = await openStore(dir);
    for (let i = 0; i < 100; i++) {
      const key = i < nBig ? `big-${i}` : `small-${i % nSmall}`;
      if (!store.get(key)) throw new Error(`bench: ${key} missing`);
      store.touch(key);
    }
    await store.close();
    figures.push({ name: 'engine.cache_open_100_lookups_ms', value: round(performance.now() - t), unit: 'ms', note: 'open + 100 get/touch + close; budget of a whole no-change re-run: 500 ms' });

    store = await openStore(dir);
    t = performance.now();
    await store.gc({ maxSizeBytes: 0 });
    figures.push({ name: 'engine.cache_gc_ms', value: round(performance.now() - t), unit: 'ms', note: `evict all ${2 * nSmall + 3 * nBig} entries` });
    await store.close();

    // key hashing
    const arr = new Float64Array(1 << 20).map((_, i) => i);
    t = performance.now();
    sha256(arr);
    const shaMs = performance.now() - t;
    figures.push({ name: 'engine.sha256_mb_per_s', value: round(8 / (shaMs / 1000)), unit: 'MB/s' });
    const params = { axes: [{ n: 34, lo: 80, hi: 250, label: 'm4l' }], variations: { nominal: {}, up: { scale: 1.01 }, down: { scale: 0.99 } }, fill: (e: { m: number }) => e.m };
    t = performance.now();
    for (let i = 0; i < 1000; i++) canonicalJson(params);
    figures.push({ name: 'engine.canonical_json_params_us', value: round(performance.now() - t), unit: 'us', note: 'typical fill parameters, one key' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  for (const f of await cacheBenchmarks({ json, quick })) console.log(json ? JSON.stringify(f) : `${f.name.padEnd(36)} ${String(f.value).padStart(10)} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
}

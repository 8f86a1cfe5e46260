// Test-only node kinds over a trivial input format (a file of little-endian float64 values), so
// engine tests exercise planning, per-chunk caching, reductions and outputs without ROOT files.
import { appendFileSync, readFileSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { z } from 'zod';
import { defineNodeKind, type ChunkRange, type ChunkSpec, type EventBatch, type OutputContext } from '../../src/engine/node-kind.ts';
import { fn } from '../../src/index.ts';

/** Outputs of the toy kinds: out/<node>.json */
async function writeJson(value: unknown, _p: unknown, ctx: OutputContext): Promise<void> {
  await ctx.writeFile(`${ctx.node}.json`, `${JSON.stringify(value)}\n`);
}

export const toySource = defineNodeKind({
  kind: 'toy-source',
  version: '1',
  level: 'chunk',
  params: z.object({ fail: z.string().optional(), slowMs: z.number().default(0) }),
  inputs: ['FileSet'],
  output: 'EventChunks',
  plan(files, _p, ctx) {
    const out: ChunkRange[] = [];
    for (const file of files.files) {
      const n = Math.min(statSync(file.path).size / 8, file.maxEntries ?? Infinity);
      for (let s = 0; s < n; s += ctx.chunkSize) out.push({ tree: 'x', start: s, stop: Math.min(n, s + ctx.chunkSize) });
    }
    return out;
  },
  runChunk(_in, p, ctx): EventBatch {
    const c = ctx.chunk;
    if (p.fail && c.file.path.endsWith(p.fail)) throw new Error(`toy read error in ${c.file.path}`);
    if (p.slowMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, p.slowMs);
    holdIfAsked(c);
    const buf = Buffer.alloc((c.stop - c.start) * 8);
    const fd = openSync(c.file.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, c.start * 8);
    } finally {
      closeSync(fd);
    }
    const x = new Float64Array(c.stop - c.start);
    for (let i = 0; i < x.length; i++) x[i] = buf.readDoubleLE(i * 8);
    return { entries: x.length, columns: { x } };
  },
});

/**
 * TOY_HOLD=<file suffix>:<start> (environment, so the cache keys do not change): that chunk blocks
 * for up to a minute, so a test can kill a run at a known point before it can finish.
 */
function holdIfAsked(c: ChunkSpec): void {
  const [suffix, start] = (process.env.TOY_HOLD ?? '').split(':');
  if (suffix && c.file.path.endsWith(suffix) && c.start === Number(start)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

/** Transform: applies a user function elementwise to x and keeps events where it is finite. */
export const toyMap = defineNodeKind({
  kind: 'toy-map',
  version: '1',
  level: 'chunk',
  params: z.object({ f: fn<(x: number) => number>() }),
  inputs: ['EventChunks'],
  output: 'EventChunks',
  runChunk(input, p): EventBatch {
    const x = input!.columns.x as Float64Array;
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = p.f(x[i]!);
    return { entries: y.length, columns: { x: y } };
  },
});

interface Hist {
  bins: number;
  lo: number;
  hi: number;
  counts: Float64Array;
}

/** Reducer: 1D histogram of x (with under/overflow). */
export const toyHist = defineNodeKind({
  kind: 'toy-hist',
  version: '1',
  level: 'chunk',
  params: z.object({ bins: z.number().int().positive(), lo: z.number(), hi: z.number() }),
  inputs: ['EventChunks'],
  output: 'Histograms',
  runChunk(input, p): Hist {
    const x = input!.columns.x as Float64Array;
    const counts = new Float64Array(p.bins + 2);
    const w = (p.hi - p.lo) / p.bins;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      counts[v < p.lo ? 0 : v >= p.hi ? p.bins + 1 : 1 + Math.floor((v - p.lo) / w)]! += 1;
    }
    return { bins: p.bins, lo: p.lo, hi: p.hi, counts };
  },
  reduce: {
    combine(a: Hist, b: Hist) {
      for (let i = 0; i < a.counts.length; i++) a.counts[i]! += b.counts[i]!;
      return a;
    },
    empty: () => ({ bins: 0, lo: 0, hi: 0, counts: new Float64Array(0) }),
  },
});

/** Global: a summary of histograms, written to out/<name>.json. */
export const toySummary = defineNodeKind({
  kind: 'toy-summary',
  version: '1',
  level: 'global',
  params: z.object({ scale: z.number().default(1), file: z.string().optional() }),
  inputs: { variadic: 'Histograms' },
  output: 'Json',
  run(inputs: Hist[], p) {
    return { hists: inputs.map((h) => ({ bins: h.bins, counts: Array.from(h.counts, (c) => c * p.scale) })) };
  },
  async writeOutputs(value, p, ctx) {
    await ctx.writeFile(p.file ?? `${ctx.node}.json`, `${JSON.stringify(value)}\n`);
  },
});

/** Global: total count of a histogram, coarse on purpose (for early cut-off tests). */
export const toyTotal = defineNodeKind({
  kind: 'toy-total',
  version: '1',
  level: 'global',
  params: z.object({}),
  inputs: ['Histograms'],
  output: 'Json',
  run([h]: Hist[]) {
    let t = 0;
    for (const c of h!.counts) t += c;
    return { total: t };
  },
  writeOutputs: writeJson,
});

export function readFloats(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

interface ColStats {
  entries: number;
  cols: Record<string, { count: number; sum: number }>;
}

/** Reducer: per column, the number of values and their float64 sum (compared with uproot refs). */
export const colStats = defineNodeKind({
  kind: 'col-stats',
  version: '1',
  level: 'chunk',
  params: z.object({ offset: z.number().default(0) }),
  inputs: ['EventChunks'],
  output: 'Json',
  runChunk(input, p): ColStats {
    const cols: ColStats['cols'] = {};
    for (const [name, c] of Object.entries(input!.columns)) {
      const values = ArrayBuffer.isView(c) ? c : c.content;
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += Number(values[i]) + p.offset;
      cols[name] = { count: values.length, sum };
    }
    return { entries: input!.entries, cols };
  },
  reduce: {
    combine(a: ColStats, b: ColStats) {
      a.entries += b.entries;
      for (const [k, v] of Object.entries(b.cols)) {
        const t = (a.cols[k] ??= { count: 0, sum: 0 });
        t.count += v.count;
        t.sum += v.sum;
      }
      return a;
    },
  },
  writeOutputs: writeJson,
});

/** Global with a parallel, memoised scan: value(x) = sum_{k<n} sin(k x), one task per point; each
 *  executed point is appended to `log` (so tests can see what ran). */
export const toyScan = defineNodeKind({
  kind: 'toy-scan',
  version: '1',
  level: 'global',
  params: z.object({ points: z.array(z.number()), n: z.number().int().default(1000), log: z.string(), slowMs: z.number().default(0) }),
  inputs: [],
  output: 'Json',
  tasks: {
    point(x: number, p: { n: number; log: string; slowMs: number }) {
      if (p.slowMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, p.slowMs);
      let s = 0;
      for (let k = 0; k < p.n; k++) s += Math.sin(k * x);
      appendFileSync(p.log, `${x}\n`);
      return s;
    },
  },
  async run(_in: unknown[], p, ctx) {
    return { values: await ctx.parallel<number, number>('point', p.points, { memo: true }) };
  },
  writeOutputs: writeJson,
});

/** Global without inputs: a constant array of `n` values (a blob file when large), written to
 *  out/<node>.json as its sum. Two nodes differing only in `tag` (unused) have two cache entries
 *  that share one blob. */
export const toyConst = defineNodeKind({
  kind: 'toy-const',
  version: '1',
  level: 'global',
  params: z.object({ n: z.number().int().default(4000), value: z.number().default(1.5), tag: z.string().default('') }),
  inputs: [],
  output: 'Json',
  run(_in: unknown[], p) {
    return { v: new Float64Array(p.n).fill(p.value) };
  },
  async writeOutputs(value: { v: Float64Array }, _p, ctx) {
    await ctx.writeFile(`${ctx.node}.json`, `${JSON.stringify({ sum: value.v.reduce((s, x) => s + x, 0) })}\n`);
  },
});

/** Global without inputs whose value is what the user function `f(ctx)` returns (sync or async). */
export const toyCall = defineNodeKind({
  kind: 'toy-call',
  version: '1',
  level: 'global',
  params: z.object({ f: fn<(ctx: { warn(m: string): void }) => unknown>() }),
  inputs: [],
  output: 'Json',
  async run(_in: unknown[], p, ctx) {
    return { v: await p.f(ctx) };
  },
  writeOutputs: writeJson,
});

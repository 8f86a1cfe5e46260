// pseudodata: adds a data-like category to Histograms, built from the simulated processes: the sum
// of chosen (process, variation) templates with factors, as the AGC does (ttbar PS_var + ME_var + the
// other nominal processes), optionally Poisson-fluctuated with a fixed seed (an offline stand-in for
// real data with honest statistical scatter). Signal injection is a factor on the signal term.
//
// The fluctuation is the same whatever the binning (`--set bins=17` must not re-draw the data): per
// histogram row (the values of its category axes) one Poisson process along the numeric axis,
// seeded by the user seed, the histogram name and the row's categories, never by the bins (see
// src/hist/poisson-process.ts). Nested binnings then see the same pseudo-events: the 17-bin data
// are the sums of adjacent 34-bin data.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind } from '../src/engine/node-kind.ts';
import { CategoryAxis, Hist, cloneAxis, fromData, toData, type Axis, type HistogramsArtifact } from '../src/hist/index.ts';
import { Rng, hashSeed } from '../src/columnar/random.ts';
import { poissonProcessCounts } from '../src/hist/poisson-process.ts';
import { UserError } from '../src/errors.ts';

const term = strictParams({ process: z.string(), variation: z.string().default('nominal'), factor: z.number().default(1) });

export const params = strictParams({
  /** Category value the pseudodata gets on the process axis. */
  name: z.string().default('data'),
  /** The category axis of the processes (summed, and given `name`). */
  processAxis: z.string().default('process'),
  /** The category axis of the variations (`nominal` is summed). */
  variationAxis: z.string().default('variation'),
  /** Variation category the pseudodata is filed under. */
  nominal: z.string().default('nominal'),
  /** Templates summed into the pseudodata; default: every process on the axis at nominal, factor 1. */
  terms: z.array(term).optional(),
  /** Draw each bin from a Poisson distribution around the sum (seeded: reproducible, and the same
   *  pseudo-events for every binning of the same histograms). */
  poisson: z.boolean().default(false),
  /** User seed of the Poisson draw (with the histograms' content; never the binning). */
  seed: z.number().int().nonnegative().default(1),
});
type Params = z.infer<typeof params>;

function strides(axes: Axis[]): number[] {
  const s = new Array<number>(axes.length);
  let acc = 1;
  for (let i = axes.length - 1; i >= 0; i--) { s[i] = acc; acc *= axes[i]!.extent; }
  return s;
}

export function addPseudodata(h: Hist, p: Params, histName: string): Hist {
  const ip = h.axisIndex(p.processAxis);
  const iv = h.axes.findIndex((a) => a.name === p.variationAxis);
  const pa = h.axes[ip] as CategoryAxis<string>;
  const va = iv >= 0 ? (h.axes[iv] as CategoryAxis<string>) : undefined;
  const terms = p.terms ?? pa.values.filter((v) => v !== p.name).map((process) => ({ process, variation: p.nominal, factor: 1 }));
  const where = (t: { process: string; variation: string }) => {
    const pi = pa.index(t.process);
    if (pi < 0) throw new UserError(`pseudodata: histogram '${histName}' has no process '${t.process}' (has: ${pa.values.join(', ')})`);
    const vi = va ? va.index(t.variation) : 0;
    if (va && vi < 0) throw new UserError(`pseudodata: histogram '${histName}' has no variation '${t.variation}'`);
    return { pi, vi };
  };
  const resolved = terms.map((t) => ({ ...where(t), factor: t.factor }));
  const nominal = va ? va.index(p.nominal) : 0;
  if (va && nominal < 0) throw new UserError(`pseudodata: histogram '${histName}' has no variation '${p.nominal}'`);

  // Same axes, the process axis reduced to the one pseudodata category; added by value with plus().
  const axes = h.axes.map((a, i) => (i === ip ? (new CategoryAxis('strcat', [p.name], { name: a.name, label: a.label, growth: true }) as unknown as Axis) : cloneAxis(a)));
  const extra = new Hist(axes);
  const sIn = strides(h.axes);
  const sOut = strides(axes);
  const n = extra.sumw.length;
  const expected = new Float64Array(n);
  for (let cell = 0; cell < n; cell++) {
    // decompose the output cell; keep only the nominal variation slot
    let rest = cell;
    let base = 0;
    let skip = false;
    for (let a = 0; a < axes.length; a++) {
      const idx = Math.floor(rest / sOut[a]!);
      rest -= idx * sOut[a]!;
      if (a === iv && idx !== nominal) skip = true;
      if (a !== ip && a !== iv) base += idx * sIn[a]!;
    }
    if (skip) continue;
    let sum = 0;
    for (const t of resolved) sum += t.factor * h.sumw[base + t.pi * sIn[ip]! + (iv >= 0 ? t.vi * sIn[iv]! : 0)]!;
    expected[cell] = sum;
  }
  if (!p.poisson) {
    extra.sumw.set(expected);
    return h.plus(extra);
  }
  fluctuate(axes, sOut, expected, extra.sumw, (labels) => hashSeed(p.seed, histName, ...labels));
  extra.sumw2.set(extra.sumw);
  return h.plus(extra);
}

/** Poisson counts of `expected` into `out`: one process per row along the first numeric axis (every
 *  cell its own row when there is none), seeded from the row's labels on the other axes. */
function fluctuate(axes: Axis[], strides: number[], expected: Float64Array, out: Float64Array, seedOf: (labels: string[]) => number): void {
  const along = axes.findIndex((a) => !(a instanceof CategoryAxis));
  const len = along >= 0 ? axes[along]!.extent : 1;
  const step = along >= 0 ? strides[along]! : 1;
  const cells = new Int32Array(len);
  for (let start = 0; start < expected.length; start++) {
    const labels: string[] = [];
    let rest = start;
    let first = true;
    for (let a = 0; a < axes.length; a++) {
      const idx = Math.floor(rest / strides[a]!);
      rest -= idx * strides[a]!;
      if (a === along) first = idx === 0;
      else labels.push(cellLabel(axes[a]!, idx));
    }
    if (!first) continue;
    for (let j = 0; j < len; j++) cells[j] = start + j * step;
    poissonProcessCounts(expected, cells, new Rng(seedOf(labels)), out);
  }
}

const cellLabel = (a: Axis, idx: number): string => (a instanceof CategoryAxis ? `${a.name}=${String(a.values[idx])}` : `${a.name}#${idx}`);

export default defineNodeKind({
  kind: 'pseudodata',
  version: '2',
  level: 'global',
  description: 'data-like category from the sum of simulated templates (optionally Poisson-fluctuated, seeded)',
  params,
  inputs: ['Histograms'],
  output: 'Histograms',
  run([input]: HistogramsArtifact[], p: Params): HistogramsArtifact {
    const out: HistogramsArtifact = { ...input!, hists: {} };
    for (const [name, d] of Object.entries(input!.hists)) {
      const h = fromData(d);
      out.hists[name] = h.axes.some((a) => a.name === p.processAxis) ? toData(addPseudodata(h, p, name)) : d;
    }
    return out;
  },
});

// pseudodata: adds a data-like category to Histograms, built from the simulated processes: the sum
// of chosen (process, variation) templates with factors, as the AGC does (ttbar PS_var + ME_var + the
// other nominal processes), optionally Poisson-fluctuated with a fixed seed (an offline stand-in for
// real data with honest statistical scatter). Signal injection is a factor on the signal term.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind } from '../src/engine/node-kind.ts';
import { CategoryAxis, Hist, cloneAxis, fromData, toData, type Axis, type HistogramsArtifact } from '../src/hist/index.ts';
import { Rng } from '../src/columnar/random.ts';
import { UserError } from '../src/errors.ts';

const term = strictParams({ process: z.string(), variation: z.string().default('nominal'), factor: z.number().default(1) });

export const params = strictParams({
  /** Category value the pseudodata gets on the process axis. */
  name: z.string().default('data'),
  processAxis: z.string().default('process'),
  variationAxis: z.string().default('variation'),
  /** Variation category the pseudodata is filed under. */
  nominal: z.string().default('nominal'),
  /** Templates summed into the pseudodata; default: every process on the axis at nominal, factor 1. */
  terms: z.array(term).optional(),
  /** Draw each bin from a Poisson distribution around the sum (seeded: reproducible). */
  poisson: z.boolean().default(false),
  seed: z.number().int().nonnegative().default(1),
});
type Params = z.infer<typeof params>;

function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 500) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
  // Knuth's multiplication method, in log space to stay exact for means up to 500
  let k = 0;
  let s = 0;
  for (;;) {
    s += -Math.log(rng.uniform());
    if (s > mean) return k;
    k++;
  }
}

function strides(axes: Axis[]): number[] {
  const s = new Array<number>(axes.length);
  let acc = 1;
  for (let i = axes.length - 1; i >= 0; i--) { s[i] = acc; acc *= axes[i]!.extent; }
  return s;
}

export function addPseudodata(h: Hist, p: Params, rng: Rng, histName: string): Hist {
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
    const v = p.poisson ? poisson(rng, sum) : sum;
    extra.sumw[cell] = v;
    extra.sumw2[cell] = p.poisson ? v : 0;
  }
  return h.plus(extra);
}

export default defineNodeKind({
  kind: 'pseudodata',
  version: '1',
  level: 'global',
  description: 'data-like category from the sum of simulated templates (optionally Poisson-fluctuated, seeded)',
  params,
  inputs: ['Histograms'],
  output: 'Histograms',
  run([input]: HistogramsArtifact[], p: Params): HistogramsArtifact {
    const rng = new Rng(p.seed);
    const out: HistogramsArtifact = { ...input!, hists: {} };
    for (const [name, d] of Object.entries(input!.hists)) {
      const h = fromData(d);
      out.hists[name] = h.axes.some((a) => a.name === p.processAxis) ? toData(addPseudodata(h, p, rng, name)) : d;
    }
    return out;
  },
});

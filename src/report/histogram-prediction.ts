// Distributions straight from a Histograms artifact (before any workspace): per region the nominal
// processes stacked, the data process as points, and the MC statistical uncertainty (sqrt of the
// summed sum w^2) as the band — the seeds' first look at the histograms.
import type { HistogramsArtifact } from '../hist/index.ts';
import type { ChannelPrediction, Prediction } from './artifacts.ts';

export interface HistogramPlotOptions {
  /** processes drawn as data points (summed) */
  data: string[];
  /** processes drawn on top of the stack */
  signal: string[];
  axes?: { region?: string; process?: string; variation?: string };
}

export async function histogramPrediction(a: HistogramsArtifact, o: HistogramPlotOptions): Promise<Prediction> {
  const { fromData, categories } = await import('../hist/index.ts');
  const ax = { region: o.axes?.region ?? 'region', process: o.axes?.process ?? 'process', variation: o.axes?.variation ?? 'variation' };
  const channels: ChannelPrediction[] = [];
  for (const [name, d] of Object.entries(a.hists)) {
    const h = fromData(d);
    const has = (axis: string) => h.axes.some((x) => x.name === axis);
    if (!has(ax.process)) continue;
    const regions = has(ax.region) ? categories(h, ax.region) : [null];
    for (const region of regions) {
      const sel = (process: string) => ({ ...(region === null ? {} : { [ax.region]: region }), [ax.process]: process, ...(has(ax.variation) ? { [ax.variation]: 'nominal' } : {}) });
      const one = (process: string) => {
        const s = h.slice(sel(process));
        if (s.axes.length !== 1) throw new Error(`histogram '${name}': ${s.axes.length} axes left after selecting region/process/variation (expected 1)`);
        const f = s.withFlow();
        const n = f.edges.length - 1;
        return { edges: f.edges, label: s.axes[0]!.label, values: Array.from(f.values.subarray(1, n + 1)), variances: Array.from(f.variances.subarray(1, n + 1)) };
      };
      const processes = categories(h, ax.process);
      const mc = processes.filter((p) => !o.data.includes(p)).map((p) => ({ p, ...one(p) }));
      const data = processes.filter((p) => o.data.includes(p)).map(one);
      const first = mc[0] ?? data[0];
      if (!first) continue;
      const nb = first.values.length;
      const sumOver = (list: Array<{ values: number[] }>, key: 'values' | 'variances' = 'values') =>
        Array.from({ length: nb }, (_, i) => list.reduce((acc, x) => acc + (x as unknown as Record<string, number[]>)[key]![i]!, 0));
      const total = sumOver(mc);
      const variance = sumOver(mc, 'variances');
      channels.push({
        name: region ?? name,
        edges: first.edges,
        ...(first.label ? { xLabel: first.label } : {}),
        data: data.length ? sumOver(data) : new Array(nb).fill(0),
        samples: mc.map((s) => ({
          name: s.p, yields: s.values, uncertainty: s.variances.map(Math.sqrt), signal: o.signal.includes(s.p),
          sum: s.values.reduce((x, y) => x + y, 0), sumUncertainty: Math.sqrt(s.variances.reduce((x, y) => x + y, 0)),
        })),
        total,
        uncertainty: variance.map(Math.sqrt),
        sum: total.reduce((x, y) => x + y, 0),
        sumUncertainty: Math.sqrt(variance.reduce((x, y) => x + y, 0)),
      });
    }
  }
  return { label: 'pre-fit', channels };
}

// Cold runs on every core, and the figures (`npm run bench -- plot [--json] [--quick]`):
//  - plot.hzz_cold_s (and _cpu_s): a whole `flow run graphs/hzz.ts` process on a fresh cache:
//    sample generation, skim, fit, limit and figures; HEPFLOW_BENCH_PLOT_EVENTS events per main
//    sample (default 20000, --quick 5000; the graph's own default is 100000)
//  - plot.hzz_generate_s / plot.hzz_figures_s: the generate and plot nodes of that run (both on
//    the worker pool: bounded by the slowest file / figure, not the sum)
//  - plot.figure_max_s: the slowest of the run's figures drawn again in this thread once loaded
//    (jsroot SVG + resvg PNG; per figure in the note); target < 0.2 s
//  - plot.load_s: what a worker's warm-up costs (jsroot, jsdom, resvg and a first small figure)
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, tempDir } from '../test/engine/harness.ts';
import { measure } from './engine.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const round = (x: number, d = 3) => Number(x.toPrecision(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const events = Number(process.env.HEPFLOW_BENCH_PLOT_EVENTS ?? (opts.quick ? 5000 : 20_000));
  const dir = tempDir('bench-plot');
  const graph = join(ROOT, 'graphs', 'hzz.ts');
  const sets = ['--set', `events=${events}`];
  const load = loadavg()[0]!.toFixed(1);
  const cold = await measure(['run', graph, ...sets, '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--workers', '2'], dir);
  const done = JSON.parse(cold.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1)!) as { nodes: Record<string, { seconds: number }> };
  const figures: Figure[] = [
    { name: 'plot.hzz_cold_s', value: round(cold.wall), unit: 's', note: `flow run graphs/hzz.ts --set events=${events}, fresh cache, 2 workers, process wall; load average ${load}` },
    { name: 'plot.hzz_cold_cpu_s', value: round(cold.cpu), unit: 's', note: 'user + system CPU of that process (main + worker threads)' },
    { name: 'plot.hzz_generate_s', value: round(done.nodes.inputs!.seconds), unit: 's', note: '8 generated samples, one file per worker task' },
    { name: 'plot.hzz_figures_s', value: round(done.nodes.figures!.seconds), unit: 's', note: 'the plot node: one figure per worker task, workers warmed during the fit' },
  ];

  // the same figures again, one by one in this thread, from the run's fit.json and limit.json
  const { loadGraph } = await import('../src/engine/load.ts');
  const { planFigures, drawFigure } = await import('../nodes/plot.ts');
  const lib = await import('../src/plot/index.ts');
  const g = await loadGraph(graph, { events: String(events) });
  const params = g.plan.nodes.get('figures')!.params as Parameters<typeof planFigures>[1];
  const inputs = ['fit.json', 'limit.json'].map((f) => JSON.parse(readFileSync(join(dir, 'out', f), 'utf8')) as unknown);
  const planned = await planFigures(inputs, params, 'figures');
  let t = performance.now();
  await drawFigure({ plot: 'stackPlot', spec: { edges: [0, 1, 2], samples: [{ label: 'b', values: [2, 1] }], xLabel: 'x' } }, { png: true, pdf: false });
  figures.push({ name: 'plot.load_s', value: round((performance.now() - t) / 1000), unit: 's', note: 'jsroot, jsdom, resvg and a first small figure, once per worker' });
  const per: string[] = [];
  let slowest = 0;
  for (const f of planned) {
    const svgMs: number[] = [];
    const pngMs: number[] = [];
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      const svg = await (lib[f.drawing.plot] as (spec: unknown) => Promise<string>)(f.drawing.spec);
      svgMs.push(performance.now() - t);
      t = performance.now();
      await lib.svgToPng(svg);
      pngMs.push(performance.now() - t);
      if (k === 0 && svg !== readFileSync(join(dir, 'out', 'figures', `${f.name}.svg`), 'utf8')) throw new Error(`${f.name}.svg: drawn here, not the bytes the worker wrote`);
    }
    const [s, p] = [median(svgMs), median(pngMs)];
    slowest = Math.max(slowest, (s + p) / 1000);
    per.push(`${f.name} ${Math.round(s)}+${Math.round(p)} ms`);
  }
  figures.push({ name: 'plot.figure_max_s', value: round(slowest), unit: 's', note: `slowest figure, SVG + PNG, median of 3: ${per.join(', ')}` });
  return figures;
}

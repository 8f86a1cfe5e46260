// Workspace-builder figures (cabinetry config -> pyhf, Combine cards). Meant to be merged into the
// stats group: `bench/stats.ts` can append `await run(opts)` from this module.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { writeDatacard } from '../src/stats/build/datacard-write.ts';
import type { TemplateHistogram } from '../src/stats/build/template-histograms.ts';

interface Figure { name: string; value: number; unit: string; note?: string }

const shared = (p: string): string => fileURLToPath(new URL(`../../shared/${p}`, import.meta.url));

function bestOf(reps: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function largeConfig(regions: number, samples: number, systematics: number, bins: number) {
  const config = {
    General: { Measurement: 'm', POI: 'mu', HistogramFolder: 'h', InputPath: 'f.root:{RegionPath}_{SamplePath}{VariationPath}' },
    Regions: Array.from({ length: regions }, (_, i) => ({ Name: `R${i}`, RegionPath: `R${i}` })),
    Samples: [{ Name: 'data', SamplePath: 'data', Data: true }, ...Array.from({ length: samples }, (_, i) => ({ Name: `s${i}`, SamplePath: `s${i}` }))],
    NormFactors: [{ Name: 'mu', Samples: 's0' }],
    Systematics: Array.from({ length: systematics }, (_, i) => ({
      Name: `sys${i}`, Type: 'NormPlusShape', Up: { VariationPath: `_sys${i}_up` },
      Down: i % 2 === 1 ? { Symmetrize: true } : { VariationPath: `_sys${i}_down` },
    })),
  };
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => i);
  const hist = (k: number): TemplateHistogram => ({
    edges, values: Float64Array.from({ length: bins }, (_, i) => 10 + i * k), variances: Float64Array.from({ length: bins }, () => 1),
  });
  const hists = new Map<string, TemplateHistogram>();
  for (const r of config.Regions) {
    for (const s of config.Samples) {
      const base = `${r.RegionPath}_${s.SamplePath}`;
      hists.set(base, hist(1));
      for (let i = 0; i < systematics; i++) {
        hists.set(`${base}_sys${i}_up`, hist(1.1));
        hists.set(`${base}_sys${i}_down`, hist(0.9));
      }
    }
  }
  return { config, hists };
}

function largeCard(bins: number, processes: number, nuisances: number): string {
  const channels = Array.from({ length: bins }, (_, i) => `ch${i}`);
  const cols = channels.flatMap((b) => Array.from({ length: processes }, (_, j) => [b, `p${j}`, String(j)]));
  let text = `imax *\njmax *\nkmax *\n---\nbin ${channels.join(' ')}\nobservation ${channels.map(() => 10).join(' ')}\n---\n`;
  text += `bin ${cols.map((c) => c[0]).join(' ')}\nprocess ${cols.map((c) => c[1]).join(' ')}\nprocess ${cols.map((c) => c[2]).join(' ')}\n`;
  text += `rate ${cols.map(() => 1.5).join(' ')}\n---\n`;
  for (let k = 0; k < nuisances; k++) text += `n${k} lnN ${cols.map((_, i) => (i % 3 ? '-' : '0.95/1.05')).join(' ')}\n`;
  return text;
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const reps = opts.quick ? 2 : 5;
  const figures: Figure[] = [];

  const agcConfig = readFileSync(shared('data/agc/cabinetry_config.yml'), 'utf8');
  const raw = JSON.parse(readFileSync(shared('data/agc/reference/histos_1_file_per_process.json'), 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
  const agcHists = (name: string): TemplateHistogram | undefined => {
    const r = raw[name];
    return r === undefined ? undefined : { edges: r.edges, values: r.contents, variances: r.contents };
  };
  figures.push({ name: 'stats.build_agc_workspace_ms', value: +bestOf(reps, () => buildWorkspace(agcConfig, agcHists)).toFixed(3), unit: 'ms', note: 'AGC cabinetry config, 124 templates, config parse included' });

  const [r, s, y, b] = opts.quick ? [50, 10, 20, 20] : [200, 10, 20, 20];
  const large = largeConfig(r, s, y, b);
  figures.push({ name: 'stats.build_large_workspace_ms', value: +bestOf(opts.quick ? 1 : 3, () => buildWorkspace(large.config, large.hists)).toFixed(1), unit: 'ms', note: `${r} regions x ${s} samples x ${y} NormPlusShape systematics, ${b} bins` });

  const text = largeCard(50, 20, 200);
  let card = parseDatacard(text);
  const parseMs = bestOf(reps, () => (card = parseDatacard(text)));
  figures.push({ name: 'stats.datacard_parse_mb_per_s', value: +(text.length / 1e6 / (parseMs / 1e3)).toFixed(1), unit: 'MB/s', note: '1000 columns x 200 lnN nuisances' });
  const writeMs = bestOf(reps, () => writeDatacard(card));
  figures.push({ name: 'stats.datacard_write_ms', value: +writeMs.toFixed(1), unit: 'ms', note: '1000 columns x 200 lnN nuisances' });
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const f of await run({ json: true, quick: process.argv.includes('--quick') })) console.log(JSON.stringify(f));
}

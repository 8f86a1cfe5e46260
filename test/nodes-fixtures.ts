// Fixtures of the statistics node tests: small source kinds (synthetic histograms, a given pyhf
// workspace), a cabinetry config for the synthetic histograms, and an in-process graph runner.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Subject } from 'rxjs';
import { z } from 'zod';
import { defineNodeKind } from '../src/engine/node-kind.ts';
import { Hist, regular, strCategory, toData, emptyArtifact, type HistogramsArtifact } from '../src/hist/index.ts';
import type { RunEvent } from '../src/engine/events.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const REFS = resolve(ROOT, '../shared/refs/pyhf');

const EDGES = Array.from({ length: 9 }, (_, i) => 100 + 10 * i);
const centers = EDGES.slice(1).map((e) => e - 5);

/** Expected counts per bin (a falling background, a peaked signal) and two shape variations. */
export function syntheticYields(signalScale: number): Record<string, number[]> {
  const bkg = centers.map((x) => 200 * Math.exp(-(x - 100) / 40));
  const sig = centers.map((x) => 40 * Math.exp(-0.5 * ((x - 135) / 8) ** 2));
  return {
    bkg,
    bkg_shape_up: bkg.map((b, i) => b * (1 + 0.04 * (i - 3.5) / 3.5)),
    bkg_shape_down: bkg.map((b, i) => b * (1 - 0.03 * (i - 3.5) / 3.5)),
    signal: sig,
    // "data": the background plus signalScale x signal, rounded to counts
    data: bkg.map((b, i) => Math.round(b + signalScale * sig[i]!)),
  };
}

export const histogramsKind = defineNodeKind({
  kind: 'test-histograms',
  level: 'global',
  version: '1',
  params: z.object({ signalScale: z.number().default(1), regions: z.array(z.string()).default(['SR']) }),
  inputs: [],
  output: 'Histograms',
  run(_inputs: unknown[], p: { signalScale: number; regions?: string[] }): HistogramsArtifact {
    const h = new Hist([
      strCategory([], { name: 'region', growth: true }),
      strCategory([], { name: 'process', growth: true }),
      strCategory([], { name: 'variation', growth: true }),
      regular(EDGES.length - 1, EDGES[0]!, EDGES.at(-1)!, { name: 'mass', label: 'm_{4l} [GeV]' }),
    ]);
    for (const [name, values] of Object.entries(syntheticYields(p.signalScale))) {
      const [process, ...v] = name.split('_');
      // sum w^2 = w^2 per entry: one entry per bin gives a 100% stat error, so fill ten entries of w/10
      for (let k = 0; k < 10; k++) for (const region of p.regions ?? ['SR']) {
        h.fill({ region, process: process!, variation: v.length ? v.join('_') : 'nominal', mass: Float64Array.from(centers) }, values.map((w) => w / 10));
      }
    }
    const a = emptyArtifact();
    a.hists.mass = toData(h);
    return a;
  },
});

/** AGC-like templates: regions 4j1b/4j2b, the notebook's processes and variations, 25 bins 50-550. */
export const AGC_VARIATIONS: Record<string, string[]> = {
  ttbar: ['nominal', 'ME_var', 'PS_var', 'scaleup', 'scaledown', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  wjets: ['nominal', 'pt_scale_up', 'pt_res_up', 'scale_var_up', 'scale_var_down', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  ...Object.fromEntries(['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'].map((p) => [p, ['nominal', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])]])),
};
export const AGC_CENTERS = Array.from({ length: 25 }, (_, i) => 60 + 20 * i);

/** Yield of one AGC-like template bin: a smooth falling shape, scaled per process and variation. */
export function agcYield(region: string, process: string, variation: string, x: number): number {
  const scale = { ttbar: 100, wjets: 30, single_top_s_chan: 2, single_top_t_chan: 8, single_top_tW: 10 }[process] ?? 1;
  const r = region === '4j1b' ? 1 : 0.6;
  const v = variation === 'nominal' ? 1 : 1 + 0.02 * ((variation.length % 5) - 2) + 0.0001 * (x - 300);
  return scale * r * v * Math.exp(-(x - 100) / 150);
}

export const agcLikeKind = defineNodeKind({
  kind: 'test-agc-histograms',
  level: 'global',
  version: '1',
  params: z.object({}),
  inputs: [],
  output: 'Histograms',
  run(): HistogramsArtifact {
    const h = new Hist([
      strCategory([], { name: 'region', growth: true }),
      strCategory([], { name: 'process', growth: true }),
      strCategory([], { name: 'variation', growth: true }),
      regular(25, 50, 550, { name: 'observable', label: 'observable [GeV]' }),
    ]);
    for (const region of ['4j1b', '4j2b']) {
      for (const [process, variations] of Object.entries(AGC_VARIATIONS)) {
        for (const variation of variations) {
          h.fill({ region, process, variation, observable: Float64Array.from(AGC_CENTERS) }, AGC_CENTERS.map((x) => agcYield(region, process, variation, x)));
        }
      }
    }
    const a = emptyArtifact();
    a.hists.agc = toData(h);
    return a;
  },
});

export const workspaceKind = defineNodeKind({
  kind: 'test-workspace',
  level: 'global',
  version: '1',
  params: z.object({ workspace: z.record(z.string(), z.unknown()) }),
  inputs: [],
  output: 'Workspace',
  run(_inputs: unknown[], p: { workspace: Record<string, unknown> }) {
    return p.workspace;
  },
});

/** cabinetry config for the synthetic histograms (names `SR_signal`, `SR_bkg_shape_up`, ...). */
export const CONFIG = {
  General: { Measurement: 'meas', POI: 'mu', InputPath: 'histograms.root:{RegionPath}_{SamplePath}{VariationPath}', HistogramFolder: 'histograms/' },
  Regions: [{ Name: 'SR', RegionPath: 'SR' }],
  Samples: [
    { Name: 'Data', SamplePath: 'data', Data: true },
    { Name: 'Signal', SamplePath: 'signal' },
    { Name: 'Background', SamplePath: 'bkg' },
  ],
  NormFactors: [{ Name: 'mu', Samples: 'Signal', Nominal: 1, Bounds: [0, 10] }],
  Systematics: [
    { Name: 'bkg_norm', Type: 'Normalization', Up: { Normalization: 0.1 }, Down: { Normalization: -0.1 }, Samples: 'Background' },
    { Name: 'bkg_shape', Type: 'NormPlusShape', Up: { VariationPath: '_shape_up' }, Down: { VariationPath: '_shape_down' }, Samples: 'Background' },
  ],
};

/** Run `fn` in a fresh temp directory, removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-nodes-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Write a graph module into `dir` (imports resolve to this repository). */
export function writeGraph(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { histogramsKind, workspaceKind, agcLikeKind, CONFIG } from ${JSON.stringify(join(ROOT, 'test/nodes-fixtures.ts'))};
import { plotKind } from ${JSON.stringify(join(ROOT, 'nodes/plot.ts'))};
export default graph(${JSON.stringify(name)}, (g) => {
${body}
});
`);
  return path;
}

export interface InProcessRun {
  summary: Extract<RunEvent, { type: 'run-done' }> | undefined;
  events: RunEvent[];
  error?: unknown;
}

/** Run a graph in this process (`workers` > 0: with the engine's worker pool). `onEvent` may abort the run. */
export async function runInProcess(file: string, dir: string, opts: { noCache?: boolean; workers?: number; onEvent?: (e: RunEvent, abort: () => void) => void } = {}): Promise<InProcessRun> {
  const { loadGraph } = await import('../src/engine/load.ts');
  const { executeGraph } = await import('../src/engine/executor.ts');
  const { openStore } = await import('../cache/store.ts');
  const { piscinaPool } = await import('../src/engine/pool.ts');
  let g;
  try {
    g = await loadGraph(file);
  } catch (error) {
    return { summary: undefined, events: [], error };
  }
  const cacheDir = join(dir, 'cache');
  const store = opts.noCache ? null : await openStore(cacheDir);
  const events: RunEvent[] = [];
  const subject = new Subject<RunEvent>();
  const abort = new AbortController();
  subject.subscribe((e) => { events.push(e); opts.onEvent?.(e, () => abort.abort()); });
  try {
    const summary = await executeGraph(g, {
      workers: opts.workers ?? 0, store, cacheDir: opts.noCache ? null : cacheDir, outDir: join(dir, 'out'), force: [], retries: 0, chunkSize: 100_000,
      skipBadFiles: false, signal: abort.signal, sets: {}, makePool: piscinaPool,
    }, subject);
    return { summary, events };
  } catch (error) {
    return { summary: undefined, events, error };
  } finally {
    await store?.close();
  }
}

// src/hist histograms (the fill node's output) -> named histograms -> AGC workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hist } from '../src/hist/hist.ts';
import { CategoryAxis, RegularAxis } from '../src/hist/axis.ts';
import { toNamedHistograms } from '../src/hist/collection.ts';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { readCabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import { AGC_CONFIG_PATH } from './stats-build-fixtures.ts';

const VARIATIONS: Record<string, string[]> = {
  ttbar: ['nominal', 'ME_var', 'PS_var', 'scaleup', 'scaledown', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  wjets: ['nominal', 'pt_scale_up', 'pt_res_up', 'scale_var_up', 'scale_var_down', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  single_top_s_chan: ['nominal', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  single_top_t_chan: ['nominal', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  single_top_tW: ['nominal', 'pt_scale_up', 'pt_res_up', ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`])],
  pseudodata: ['nominal'],
};

test('AGC workspace from src/hist histograms (flow bins included) via toNamedHistograms', () => {
  const h = new Hist([
    new CategoryAxis('strcat', [] as string[], { name: 'region', growth: true }),
    new CategoryAxis('strcat', [] as string[], { name: 'process', growth: true }),
    new CategoryAxis('strcat', [] as string[], { name: 'variation', growth: true }),
    new RegularAxis(25, 50, 550, { name: 'observable' }),
  ]);
  // deterministic pseudo-random events; the expected yields are summed independently below
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const expected = new Map<string, Float64Array>();
  for (const region of ['4j1b', '4j2b']) {
    for (const [process, variations] of Object.entries(VARIATIONS)) {
      for (const variation of variations) {
        const n = 400;
        const x = Float64Array.from({ length: n }, () => 30 + 560 * rand());
        const w = Float64Array.from({ length: n }, () => 0.5 + rand());
        h.fill({ region, process, variation, observable: x }, w);
        const sums = new Float64Array(11);
        x.forEach((v, i) => { if (v >= 110 && v < 550) sums[Math.floor((v - 110) / 40)]! += w[i]!; });
        expected.set(`${region}/${process}/${variation}`, sums);
      }
    }
  }
  const ws = buildWorkspace(readCabinetryConfig(AGC_CONFIG_PATH), toNamedHistograms(h));
  const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-9 * Math.max(1, Math.abs(b[i]!)), `${v} vs ${b[i]}`));
  close(ws.observations[0]!.data, expected.get('4j1b/pseudodata/nominal')!);
  const tt = ws.channels[1]!.samples.find((s) => s.name === 'ttbar')!;
  close(tt.data, expected.get('4j2b/ttbar/nominal')!);
  const up = expected.get('4j2b/ttbar/btag_var_2_up')!;
  const ratio = up.reduce((a, b) => a + b) / expected.get('4j2b/ttbar/nominal')!.reduce((a, b) => a + b);
  const normsys = tt.modifiers.find((m) => m.type === 'normsys' && m.name === 'b-tag NP 3')!.data as { hi: number };
  assert.ok(Math.abs(normsys.hi - ratio) < 1e-12);
});

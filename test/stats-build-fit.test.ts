// The built workspaces are valid pyhf workspaces for hepflow's own model and fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { convertDatacard } from '../src/stats/build/datacard-to-workspace.ts';
import type { Workspace } from '../src/stats/build/pyhf-types.ts';
import { checkConsistency, loadWorkspace } from '../src/stats/workspace.ts';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

function validated(ws: Workspace): Workspace {
  const parsed = loadWorkspace(JSON.parse(JSON.stringify(ws)), 'built workspace');
  assert.deepEqual(checkConsistency(parsed), []);
  return parsed;
}

test('the AGC workspace built from the reference histograms validates and fits (ttbar_norm near 1)', () => {
  const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
  const ws = buildWorkspace(readFileSync(AGC_CONFIG_PATH, 'utf8'), (name) => {
    const r = raw[name];
    if (r === undefined) return undefined;
    const values = r.contents.slice(1, -1);
    return { edges: r.edges, values, variances: values.map((v) => 1e-4 * Math.abs(v)) };
  });
  const model = buildModel(validated(ws));
  const result = fit(model);
  assert.ok(result.converged, result.message);
  const mu = result.bestfit[model.poiIndex]!;
  assert.ok(mu > 0.7 && mu < 1.3, `ttbar_norm = ${mu}`);
  assert.ok(result.uncertainty[model.poiIndex]! > 0);
});

test('a converted Combine shape card validates and fits with the interpolation codes the conversion asks for', () => {
  const card = parseDatacard(readFileSync(new URL('../../shared/data/combine/template-analysis-datacard.txt', import.meta.url), 'utf8'));
  const e = [0, 1, 2, 3];
  const hists: Record<string, { edges: number[]; values: number[]; variances: number[] }> = {
    data_obs: { edges: e, values: [30, 35, 20], variances: [30, 35, 20] },
    signal: { edges: e, values: [2, 8, 2], variances: [1, 1, 1] },
    signal_sigmaUp: { edges: e, values: [1, 10, 1], variances: [1, 1, 1] },
    signal_sigmaDown: { edges: e, values: [3, 6, 3], variances: [1, 1, 1] },
    background: { edges: e, values: [40, 35, 25], variances: [4, 4, 4] },
    background_alphaUp: { edges: e, values: [44, 38.5, 27.5], variances: [4, 4, 4] },
    background_alphaDown: { edges: e, values: [40, 30, 20], variances: [4, 4, 4] },
  };
  const conv = convertDatacard(card, (_file, object) => hists[object]);
  const model = buildModel(validated(conv.workspace), undefined, {
    normsys: conv.modifierSettings.normsys.interpcode, histosys: conv.modifierSettings.histosys.interpcode,
  });
  const result = fit(model);
  assert.ok(result.converged, result.message);
  assert.ok(Number.isFinite(result.bestfit[model.poiIndex]!));
});

test("Combine's tutorial limit on realistic-counting-experiment.txt is reproduced by the converted workspace", () => {
  // `combine -M AsymptoticLimits realistic-counting-experiment.txt` in Combine's documentation:
  // Observed Limit: r < 1.6297, Expected 50.0%: r < 2.3111. (Combine's +-1/2 sigma band uses its own
  // asymptotic band formula, pyhf's solves each band's CLs curve; they differ at these tiny counts.)
  const card = parseDatacard(readFileSync(new URL('../../shared/data/combine/realistic-counting-experiment.txt', import.meta.url), 'utf8'));
  const conv = convertDatacard(card);
  const model = buildModel(validated(conv.workspace), undefined, {
    normsys: conv.modifierSettings.normsys.interpcode, histosys: conv.modifierSettings.histosys.interpcode,
  });
  const ul = upperLimit(model);
  assert.ok(Math.abs(ul.obs / 1.6297 - 1) < 0.005, `observed ${ul.obs}`);
  assert.ok(Math.abs(ul.exp[2]! / 2.3111 - 1) < 0.01, `median expected ${ul.exp[2]}`);
});

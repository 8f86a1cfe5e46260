// The built workspaces are valid pyhf workspaces for hepflow's own model and fit (skipped while
// src/stats/ model and fit are not there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { convertDatacard } from '../src/stats/build/datacard-to-workspace.ts';
import type { Workspace } from '../src/stats/build/pyhf-types.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

interface StatsApi {
  loadWorkspace(json: unknown, source?: string): unknown;
  checkConsistency(ws: unknown): string[];
  buildModel(ws: unknown, measurement?: string, opts?: { normsys?: string; histosys?: string }): { poiIndex: number };
  fit(model: unknown): { converged: boolean; message: string; bestfit: Float64Array; uncertainty: Float64Array };
}

async function statsApi(): Promise<StatsApi | null> {
  const paths = ['../src/stats/workspace.ts', '../src/stats/model.ts', '../src/stats/fit.ts'];
  try {
    const mods = await Promise.all(paths.map((p) => import(p) as Promise<Record<string, unknown>>));
    return Object.assign({}, ...mods) as StatsApi;
  } catch {
    return null;
  }
}

function validated(api: StatsApi, ws: Workspace): unknown {
  const parsed = api.loadWorkspace(JSON.parse(JSON.stringify(ws)), 'built workspace');
  assert.deepEqual(api.checkConsistency(parsed), []);
  return parsed;
}

test('the AGC workspace built from the reference histograms validates and fits (ttbar_norm near 1)', async (t) => {
  const api = await statsApi();
  if (api === null) return t.skip('src/stats model/fit not available');
  const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
  const ws = buildWorkspace(readFileSync(AGC_CONFIG_PATH, 'utf8'), (name) => {
    const r = raw[name];
    if (r === undefined) return undefined;
    const values = r.contents.slice(1, -1);
    return { edges: r.edges, values, variances: values.map((v) => 1e-4 * Math.abs(v)) };
  });
  const model = api.buildModel(validated(api, ws));
  const result = api.fit(model);
  assert.ok(result.converged, result.message);
  const mu = result.bestfit[model.poiIndex]!;
  assert.ok(mu > 0.7 && mu < 1.3, `ttbar_norm = ${mu}`);
  assert.ok(result.uncertainty[model.poiIndex]! > 0);
});

test('a converted Combine shape card validates and fits with the interpolation codes the conversion asks for', async (t) => {
  const api = await statsApi();
  if (api === null) return t.skip('src/stats model/fit not available');
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
  const model = api.buildModel(validated(api, conv.workspace), undefined, {
    normsys: conv.modifierSettings.normsys.interpcode, histosys: conv.modifierSettings.histosys.interpcode,
  });
  const result = api.fit(model);
  assert.ok(result.converged, result.message);
  assert.ok(Number.isFinite(result.bestfit[model.poiIndex]!));
});

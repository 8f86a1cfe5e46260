// Ranking (issue 16, item 2) with cabinetry's definition: every impact equals an explicit re-fit
// (Minuit emulation, not the Newton fitter the ranking uses) with the parameter fixed at best fit
// +- pre-fit / post-fit uncertainty; the node runs the fits on the worker pool and caches them; the
// figure's bars read back out of the SVG are the impacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { rank, rankingJson } from '../src/stats/infer/ranking.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { impactRange, rankingPlot, RANKING_COLORS } from '../src/plot/ranking.ts';
import { REFS, runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';
import { framesOf, pathPoints, pathsWithStyle } from './svg-read.ts';

const CASE = join(REFS, 'syn_allmods_3ch.json');
const load = () => { const c = JSON.parse(readFileSync(CASE, 'utf8')); return { c, model: buildModel(loadWorkspace(c.workspace), c.measurement) }; };

test('impacts equal explicit re-fits with the parameter held at best fit +- pre-fit / post-fit uncertainty', { skip: !existsSync(CASE) }, () => {
  const { model } = load();
  const nominal = fit(model);
  const impacts = rank(model, { nominal });
  // every floating parameter but the POI, largest post-fit impact first
  assert.equal(impacts.length, Array.from(model.fixed).filter((f, i) => !f && i !== model.poiIndex).length);
  const size = (x: { postfitUp: number; postfitDown: number }) => Math.max(Math.abs(x.postfitUp), Math.abs(x.postfitDown));
  impacts.slice(1).forEach((x, k) => assert.ok(size(x) <= size(impacts[k]!)));
  const p = model.poiIndex, mu0 = nominal.bestfit[p]!, sigma = nominal.uncertainty[p]!;
  const refit = (i: number, v: number) => fit(model, { optimizer: 'minuit', fix: new Map([[i, v]]), hesse: false }).bestfit[p]! - mu0;
  const unconstrained = impacts.find((x) => x.prefit === 0)!;
  for (const x of [...impacts.slice(0, 3), unconstrained]) {
    const b = x.bestfit;
    const want = [x.prefit > 0 ? refit(x.index, b + x.prefit) : 0, x.prefit > 0 ? refit(x.index, b - x.prefit) : 0, refit(x.index, b + x.uncertainty), refit(x.index, b - x.uncertainty)];
    [x.prefitUp, x.prefitDown, x.postfitUp, x.postfitDown].forEach((got, k) => {
      assert.ok(Math.abs(got - want[k]!) < 2e-3 * sigma, `${x.name} impact ${k}: ${got} vs re-fit ${want[k]}`);
    });
  }
  assert.ok(Math.abs(unconstrained.postfitUp) > 0, 'a free normfactor has post-fit impacts');
  const json = rankingJson(model, nominal, impacts);
  assert.equal(json.parameters.find((q) => q.name === unconstrained.name)!.pull, null);
});

test('ranking figure: the post-fit bars read back out of the SVG are the impacts', { skip: !existsSync(CASE) }, async () => {
  const { model } = load();
  const nominal = fit(model);
  const json = rankingJson(model, nominal, rank(model, { nominal }));
  const spec = { ...json, top: 8 };
  const svg = await rankingPlot(spec);
  for (const q of json.parameters.slice(0, 8)) assert.ok(svg.includes(q.name), q.name);
  assert.ok(!svg.includes(json.parameters[8]!.name), 'only the top 8');
  const f = framesOf(svg)[1]!; // the impact panel
  const r = impactRange(spec);
  const toValue = (px: number) => ((px - f.x0) / f.width) * 2 * r - r;
  const zero = f.x0 + f.width / 2;
  for (const [key, col] of [['postfit_up', RANKING_COLORS.up], ['postfit_down', RANKING_COLORS.down]] as const) {
    const rgb = [1, 3, 5].map((k) => parseInt(col.slice(k, k + 2), 16)).join(', ');
    const bars = pathsWithStyle(svg, new RegExp(`^fill: rgb\\(${rgb}\\);$`)).map(pathPoints)
      .sort((a, b) => a[0]![1] - b[0]![1]); // top row first
    assert.equal(bars.length, 8);
    bars.forEach((pts, i) => {
      const xs = pts.map((q) => q[0]);
      const far = Math.abs(Math.min(...xs) - zero) > Math.abs(Math.max(...xs) - zero) ? Math.min(...xs) : Math.max(...xs);
      const want = json.parameters[i]![key];
      assert.ok(Math.abs(toValue(far) - want) <= (2 * r) / f.width, `row ${i} ${key}: ${toValue(far)} vs ${want}`);
    });
  }
});

test('ranking node: fits on the worker pool equal the library ranking; a second run is cached', { skip: !existsSync(CASE) }, async () => {
  await withTempDir(async (dir) => {
    const c = JSON.parse(readFileSync(join(REFS, 'validation_2bin_2channel.json'), 'utf8'));
    const file = writeGraph(dir, 'ranking', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(c.workspace)} });
  g.ranking('ranking', ws, { top: 3 });
`);
    const r = await runInProcess(file, dir, { workers: 2 });
    assert.ok(r.summary?.ok, String(r.error));
    const got = JSON.parse(readFileSync(join(dir, 'out', 'ranking.json'), 'utf8'));
    const model = buildModel(loadWorkspace(c.workspace));
    const nominal = fit(model);
    const want = rankingJson(model, nominal, rank(model, { nominal }));
    assert.deepEqual(got.parameters.map((q: { name: string }) => q.name), want.parameters.map((q) => q.name));
    got.parameters.forEach((q: Record<string, number>, i: number) => {
      for (const k of ['prefit_up', 'prefit_down', 'postfit_up', 'postfit_down'] as const) assert.ok(Math.abs(q[k]! - want.parameters[i]![k]) < 1e-9, `${q.name} ${k}`);
    });
    assert.ok(readFileSync(join(dir, 'out', 'ranking.svg'), 'utf8').startsWith('<svg'));
    const again = await runInProcess(file, dir);
    assert.equal(again.summary!.nodes.ranking!.status, 'cached');
  });
});

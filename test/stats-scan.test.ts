// Likelihood scans (issue 16, item 1): every point equals a separate fit with the parameter fixed
// (pyhf's fixed_poi_fit, and pyhf's own fixed_poi_fit twice_nll in the references), the grid is the
// DESIGN.md one, the node runs points on the worker pool and caches them, and the figure's curve
// and sigma lines read back out of the SVG are the scan's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { scan } from '../src/stats/infer/scan.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { scanPlot, scan1dTop, SIGMA_LEVELS_2D } from '../src/plot/scan.ts';
import { contourSegments } from '../src/plot/contour.ts';
import { REFS, ROOT, runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';
import { frameOf, pathPoints, pathsWithStyle, toData } from './svg-read.ts';

const CASE = join(REFS, 'validation_2bin_2channel.json');
const refCase = () => JSON.parse(readFileSync(CASE, 'utf8'));

test('1D scan points equal separate fixed-POI fits and pyhf fixed_poi_fit twice_nll', { skip: !existsSync(CASE) }, () => {
  const c = refCase();
  const model = buildModel(loadWorkspace(c.workspace), c.measurement);
  const r = scan(model, { pars: ['mu'], points: 9, ranges: [[0, 2]] });
  assert.deepEqual(r.points.map((p) => p[0]), [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
  const free = fit(model, { hesse: false });
  assert.equal(r.twice_nll_min, free.twiceNll);
  for (const [mu, delta] of r.points) {
    const separate = fit(model, { poiValue: mu!, hesse: false }).twiceNll - free.twiceNll;
    assert.ok(Math.abs(delta! - separate) < 1e-9, `mu = ${mu}: ${delta} vs ${separate}`);
  }
  const ref = c.reference;
  assert.ok(Math.abs(r.twice_nll_min - ref.mle.twice_nll) < 1e-3);
  const at1 = r.points.find((p) => p[0] === ref.fixed_poi_fit.poi_value)!;
  assert.ok(Math.abs(at1[1]! - (ref.fixed_poi_fit.twice_nll - ref.mle.twice_nll)) < 1e-3, `${at1[1]} vs pyhf`);
});

test('2D scan: grid order, every point a fit with both parameters fixed', { skip: !existsSync(CASE) }, () => {
  const c = refCase();
  const model = buildModel(loadWorkspace(c.workspace), c.measurement);
  const theta = 'uncorr_bkguncrt_signal[0]';
  const r = scan(model, { pars: ['mu', theta], points: 3, ranges: [[0, 1], [0.8, 1.2]] });
  assert.deepEqual(r.points.map((p) => [p[0], p[1]]), [[0, 0.8], [0, 1], [0, 1.2], [0.5, 0.8], [0.5, 1], [0.5, 1.2], [1, 0.8], [1, 1], [1, 1.2]]);
  const j = model.parNames.indexOf(theta);
  for (const [mu, t, delta] of r.points) {
    const separate = fit(model, { poiValue: mu!, fix: new Map([[j, t!]]), hesse: false }).twiceNll - r.twice_nll_min;
    assert.ok(Math.abs(delta! - separate) < 1e-9);
  }
});

test('flow scan --json: the DESIGN.md keys, default range = the bounds, bad input in one line', { skip: !existsSync(CASE) }, async () => {
  await withTempDir(async (dir) => {
  const c = refCase();
  const ws = join(dir, 'ws.json');
  writeFileSync(ws, JSON.stringify(c.workspace));
  const flow = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'scan', ws, ...a], { cwd: ROOT, encoding: 'utf8' });
  const r = flow('--par', 'mu', '--points', '5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.pars, ['mu']);
  assert.deepEqual(out.points.map((p: number[]) => p[0]), [0, 2.5, 5, 7.5, 10]); // mu's bounds [0, 10]
  assert.ok(Math.abs(out.twice_nll_min - c.reference.mle.twice_nll) < 1e-3);
  const bad = flow('--par', 'nope', '--json');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.trim(), /^[^\n]*no parameter 'nope'[^\n]*$/);
  assert.notEqual(flow('--par', 'mu', '--range', '1').status, 0);
  const proc = flow('--par', 'mu', '--out', '/proc/scan');
  assert.notEqual(proc.status, 0);
  assert.match(proc.stderr.trim(), /^[^\n]*--out \/proc\/scan: \/proc is a kernel pseudo-filesystem[^\n]*$/);
  });
});

test('scan figure: the curve and the 1 / 2 sigma lines read back out of the SVG', async () => {
  const points = Array.from({ length: 11 }, (_, i) => [i * 0.3, ((i * 0.3 - 1.2) / 0.5) ** 2]);
  const svg = await scanPlot({ pars: ['mu'], bestfit: [1.2], points });
  const f = frameOf(svg), top = scan1dTop(points);
  const [curve] = pathsWithStyle(svg, /stroke-width: 3/);
  const got = pathPoints(curve!).map((p) => toData(p, f, [0, 3], [0, top], true));
  assert.equal(got.length, points.length);
  got.forEach(([x, y], i) => {
    assert.ok(Math.abs(x - points[i]![0]!) <= 3 / f.width, `x ${x} vs ${points[i]![0]}`);
    if (points[i]![1]! <= top) assert.ok(Math.abs(y - points[i]![1]!) <= top / f.height, `y ${y} vs ${points[i]![1]}`);
  });
  const levels = pathsWithStyle(svg, /stroke-dasharray/).map((d) => toData(pathPoints(d)[0]!, f, [0, 3], [0, top], false)[1]).sort((a, b) => a - b);
  assert.equal(levels.length, 2);
  assert.ok(Math.abs(levels[0]! - 1) <= top / f.height && Math.abs(levels[1]! - 4) <= top / f.height, `sigma lines at ${levels}`);
});

test('2D contours: segment ends lie on the level, the figure draws each of them', async () => {
  // an elliptic paraboloid: 2 dNLL = x^2 + (y/2)^2, contour at level L is the ellipse x^2 + y^2/4 = L
  const axis = Array.from({ length: 21 }, (_, i) => -4 + 0.4 * i);
  const points = axis.flatMap((x) => axis.map((y) => [x, y, x * x + (y / 2) ** 2]));
  const z = axis.map((x) => axis.map((y) => x * x + (y / 2) ** 2));
  const segs = contourSegments(axis, axis, z, SIGMA_LEVELS_2D[0]);
  assert.ok(segs.length > 10);
  for (const [x1, y1] of segs) {
    const r = x1 * x1 + (y1 / 2) ** 2; // linear interpolation of a quadratic along a 0.4 edge
    assert.ok(Math.abs(r - SIGMA_LEVELS_2D[0]) < 0.1, `point (${x1}, ${y1}) at ${r}`);
  }
  const svg = await scanPlot({ pars: ['x', 'y'], bestfit: [0, 0], points });
  const f = frameOf(svg);
  const solid = pathsWithStyle(svg, /^stroke: rgb\(0, 0, 0\); stroke-width: 2;$/);
  assert.equal(solid.length, segs.length);
  const [x, y] = toData(pathPoints(solid[0]!)[0]!, f, [-4, 4], [-4, 4], false);
  assert.ok(Math.abs(x - segs[0]![0]) <= 8 / f.width * 1.01 && Math.abs(y - segs[0]![1]) <= 8 / f.height * 1.01, `${x}, ${y} vs ${segs[0]}`);
});

test('scan node: points on the worker pool equal the library scan; a second run is cached', { skip: !existsSync(CASE) }, async () => {
  await withTempDir(async (dir) => {
    const ws = refCase().workspace;
    const file = writeGraph(dir, 'scan', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(ws)} });
  g.scan('scan', ws, { pars: ['mu'], points: 6, ranges: [[0, 2.5]] });
`);
    const r = await runInProcess(file, dir, { workers: 2 });
    assert.ok(r.summary?.ok, String(r.error));
    const got = JSON.parse(readFileSync(join(dir, 'out', 'scan.json'), 'utf8'));
    const want = scan(buildModel(loadWorkspace(ws)), { pars: ['mu'], points: 6, ranges: [[0, 2.5]] });
    assert.deepEqual(got.pars, want.pars);
    got.points.forEach((p: number[], i: number) => {
      assert.equal(p[0], want.points[i]![0]);
      assert.ok(Math.abs(p[1]! - want.points[i]![1]!) < 1e-9);
    });
    assert.ok(readFileSync(join(dir, 'out', 'scan.svg'), 'utf8').startsWith('<svg'));
    const again = await runInProcess(file, dir);
    assert.equal(again.summary!.nodes.scan!.status, 'cached');
  });
});

// Upper limits from toys: the interpolation is pyhf's linear_grid_scan (numpy.interp on the CLs
// curve), on a high-count model the toy limits agree with the asymptotic ones within the toys'
// statistical error and the grid's resolution, worker threads give bit-identical toys to this
// thread (seeded batches, however spread), a resume file reuses finished batches, and
// `flow limit --toys` reports the toy limits with the asymptotic ones beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { modelRef } from '../src/stats/model-cache.ts';
import { hypotestContext } from '../src/stats/infer/hypotest.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { crossing, linearGrid, runHere, toyJobs, toyLimitFromScan, toyScan } from '../src/stats/infer/toy-limit.ts';
import { threadRunner } from '../src/stats/infer/toy-threads.ts';
import { main as limitMain } from '../src/cli/limit.ts';

const counting = (s: number, b: number, n: number, sigma: number) => ({
  version: '1.0.0' as const,
  channels: [{ name: 'c', samples: [
    { name: 's', data: [s], modifiers: [{ name: 'mu', type: 'normfactor' as const, data: null }] },
    { name: 'b', data: [b], modifiers: [{ name: 'u', type: 'shapesys' as const, data: [sigma] }] },
  ] }],
  observations: [{ name: 'c', data: [n] }],
  measurements: [{ name: 'm', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, 10]] as [number, number][] }] } }],
});

/** numpy.interp(x, xp, fp) for increasing xp (what pyhf's linear_grid_scan calls on the reversed CLs curve). */
function npInterp(x: number, xp: number[], fp: number[]): number {
  if (x <= xp[0]!) return fp[0]!;
  for (let i = 1; i < xp.length; i++) if (x <= xp[i]!) return fp[i - 1]! + ((x - xp[i - 1]!) / (xp[i]! - xp[i - 1]!)) * (fp[i]! - fp[i - 1]!);
  return fp.at(-1)!;
}

test('crossing: numpy.interp of the reversed CLs curve (pyhf linear_grid_scan); outside the grid flagged', () => {
  const grid = [0, 0.5, 1, 1.5, 2, 2.5];
  const cls = [1, 0.6, 0.3, 0.12, 0.04, 0.01];
  const c = crossing(grid, cls, 0.05);
  assert.equal(c.outside, null);
  assert.ok(Math.abs(c.value - npInterp(0.05, [...cls].reverse(), [...grid].reverse())) < 1e-12);
  assert.deepEqual(crossing(grid, cls.map((x) => x + 0.5), 0.05), { value: 2.5, outside: 'above' });
  assert.deepEqual(crossing(grid, cls.map(() => 0.01), 0.05), { value: 0, outside: 'below' });
  assert.deepEqual(linearGrid(1, 2, 3), [1, 1.5, 2]);
});

test('high-count model: toy upper limits equal the asymptotic ones within the toys\' error and the grid step', async () => {
  const model = buildModel(loadWorkspace(counting(30, 400, 410, 10)));
  const asym = upperLimit(model, { context: hypotestContext(model) });
  const grid = linearGrid(0.6 * asym.exp[0]!, 1.3 * asym.exp[4]!, 14);
  const lim = toyLimitFromScan(await toyScan(model, grid, { ntoys: 1000, seed: 3 }, runHere(model)));
  assert.ok(Number.isFinite(lim.obsError) && lim.obsError > 0);
  const step = grid[1]! - grid[0]!;
  // linear interpolation of a convex curve over one grid step, plus 4 sigma of the toys' CLs error
  const tol = (x: number) => 4 * lim.obsError + 0.05 * step + 0.02 * x;
  assert.ok(Math.abs(lim.obs - asym.obs) < tol(asym.obs), `observed: toys ${lim.obs} ± ${lim.obsError}, asymptotic ${asym.obs}`);
  assert.ok(Math.abs(lim.exp[2]! - asym.exp[2]!) < tol(asym.exp[2]!), `median: toys ${lim.exp[2]}, asymptotic ${asym.exp[2]}`);
  assert.deepEqual(lim.outside, [null, null, null, null, null, null]);
});

test('worker threads give the same toys as this thread; a resume file reuses finished batches', async () => {
  const ws = counting(12, 50, 53, 7);
  const model = buildModel(loadWorkspace(ws));
  const jobs = [...toyJobs(model, 1, { ntoys: 450, seed: 9 }), ...toyJobs(model, 2, { ntoys: 450, seed: 9 })];
  const here = await runHere(model)(jobs);
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-toy-threads-'));
  try {
    const file = join(dir, 'batches.jsonl');
    const threads = threadRunner(modelRef(ws), 2, file);
    assert.deepEqual(await threads(jobs), here);
    assert.equal(threads.reused(), 0);
    // a truncated last line (an interrupted run) is ignored; everything else is reused
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n[^\n]*\n$/, '\n{"key": "abc'));
    const again = threadRunner(modelRef(ws), 2, file);
    assert.deepEqual(await again(jobs), here);
    assert.equal(again.reused(), jobs.length - 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('flow limit --toys: toy limits, their error and the asymptotic limits; --out keeps the batches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-toy-cli-'));
  const write = process.stdout.write.bind(process.stdout);
  const run = async (args: string[]) => {
    let out = '';
    // the test runner's own messages to its parent (binary chunks) pass through
    process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) => (typeof c === 'string' ? ((out += c), true) : write(c, ...rest))) as typeof process.stdout.write;
    try { assert.equal(await limitMain(args), 0); } finally { process.stdout.write = write; }
    return JSON.parse(out);
  };
  try {
    const file = join(dir, 'ws.json');
    const ws = counting(12, 50, 53, 7);
    writeFileSync(file, JSON.stringify(ws));
    const args = [file, '--toys', '300', '--seed', '5', '--toy-points', '5', '--toy-range', '0.5,3.5', '--workers', '1', '--json', '--out', join(dir, 'out')];
    const r = await run(args);
    assert.equal(r.upper_limit_method, 'toys');
    const model = buildModel(loadWorkspace(ws));
    const want = toyLimitFromScan(await toyScan(model, linearGrid(0.5, 3.5, 5), { ntoys: 300, seed: 5 }, runHere(model)));
    assert.equal(r.upper_limit_obs, want.obs);
    assert.deepEqual(r.upper_limit_exp, want.exp);
    assert.equal(r.upper_limit_obs_error, want.obsError);
    assert.deepEqual(r.toy_scan.map((p: { poi: number }) => p.poi), [0.5, 1.25, 2, 2.75, 3.5]);
    const asym = upperLimit(model, { context: hypotestContext(model) });
    assert.ok(Math.abs(r.upper_limit_obs_asymptotic - asym.obs) < 1e-12);
    assert.match(r.upper_limit_notes.join('\n'), /interpolated on a 5-point grid of mu over \[0\.5, 3\.5\] \(resolution 0\.750\)/);
    const again = await run(args);
    assert.equal(again.upper_limit_obs, r.upper_limit_obs);
    assert.match(again.upper_limit_notes.join('\n'), /toy batches reused from/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// graphs/hzz.ts (seed 000) end to end through `flow run` on small generated samples: the fit recovers
// the injected signal strength, limit.json is what `flow limit` gives on the written workspace, a
// no-change re-run is served from the cache, and a new binning re-runs only fill and downstream.
// graphs/quickstart.ts (the README example) shows the W peak in the dijet mass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';

const ROOT = new URL('..', import.meta.url).pathname;

interface RunDone { type: string; ok: boolean; nodes: Record<string, { status: string; reason?: string }> }

function flow(args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `flow ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}${r.stdout.slice(-1000)}`);
  return r.stdout;
}

function run(graph: string, dir: string, sets: string[]): RunDone {
  const args = ['run', join(ROOT, graph), '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '2'];
  for (const s of sets) args.push('--set', s);
  const last = JSON.parse(flow(args).trim().split('\n').at(-1)!) as RunDone;
  assert.equal(last.type, 'run-done');
  assert.ok(last.ok);
  return last;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('hzz graph: fit recovers the injected signal, limits match flow limit, caching per node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-hzz-'));
  try {
    const sets = ['events=20000'];
    const first = run('graphs/hzz.ts', dir, sets);
    for (const [name, n] of Object.entries(first.nodes)) assert.equal(n.status, 'computed', name);
    const out = join(dir, 'out');

    const fit = readJson(join(out, 'fit.json'));
    assert.equal(fit.converged, true);
    const mu = fit.bestfit.Signal_norm, err = fit.uncertainty.Signal_norm;
    assert.ok(err > 0.05 && err < 2, `Signal_norm error ${err}`);
    assert.ok(Math.abs(mu - 1) < 2.5 * err, `Signal_norm ${mu} +- ${err} is not compatible with the injected 1`);

    // limit.json is exactly what the CLI computes on the written workspace
    const limit = readJson(join(out, 'limit.json'));
    const cli = JSON.parse(flow(['limit', join(out, 'workspace.json'), '--json']));
    assert.ok(Math.abs(limit.cls_obs - cli.cls_obs) < 1e-9);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(limit.upper_limit_exp[i] - cli.upper_limit_exp[i]) < 1e-6 * cli.upper_limit_exp[i]);
    assert.ok(limit.upper_limit_obs > 0 && limit.upper_limit_obs < 10);

    // histograms.root holds the notebook's histograms under cabinetry names
    const f = await openRootFile(join(out, 'histograms.root'));
    const names = new Set(f.keys().map((k) => k.name));
    for (const n of ['Signal_region_data', 'Signal_region_signal', 'Signal_region_ZZ', 'Signal_region_Z_tt', 'Signal_region_ZZ_SF_up', 'Signal_region_signal_m4l_down']) {
      assert.ok(names.has(n), `histograms.root lacks ${n}`);
    }
    await f.close();
    const ws = readJson(join(out, 'workspace.json'));
    assert.equal(ws.channels[0].samples[0].data.length, 34);

    // nothing changed: everything cached
    const again = run('graphs/hzz.ts', dir, sets);
    for (const [name, n] of Object.entries(again.nodes)) assert.equal(n.status, 'cached', `re-run: ${name}`);

    // a new binning: skim and select served from the cache, fill and everything after re-run
    const rebinned = run('graphs/hzz.ts', dir, [...sets, 'bins=17']);
    for (const n of ['inputs', 'four-leptons', 'm4l']) assert.equal(rebinned.nodes[n]!.status, 'cached', n);
    for (const n of ['hists', 'workspace', 'fit', 'limit']) assert.equal(rebinned.nodes[n]!.status, 'computed', n);
    assert.equal(readJson(join(out, 'workspace.json')).channels[0].samples[0].data.length, 17);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('quickstart graph: the dijet mass of generated ttbar events peaks at the W mass', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-qs-'));
  try {
    run('graphs/quickstart.ts', dir, ['events=20000']);
    const h = readJson(join(dir, 'out', 'histograms.json')).mjj_ttbar;
    const inRange = h.contents.slice(1, -1) as number[];
    const peak = inRange.indexOf(Math.max(...inRange));
    const centre = (h.edges[peak] + h.edges[peak + 1]) / 2;
    assert.ok(centre > 65 && centre < 95, `peak at ${centre} GeV`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

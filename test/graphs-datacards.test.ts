// graphs/datacards.ts end to end through `flow run`: the cards parse back, their rates and the
// shapes files (read back through jsroot) equal the templates in histograms.root per (process,
// year), lnN lumi is split per year, the script and the pyhf workspace are there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatacard, readRootHistograms, type Datacard, type TemplateHistogram } from '../src/stats/build/index.ts';
import { checkConsistency, loadWorkspace } from '../src/stats/workspace.ts';
import { writeSample } from '../src/gen/index.ts';
import { buildModel } from '../src/stats/model.ts';
import { bisectLimit } from './limit-bisection.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const GRAPH = join(ROOT, 'graphs/datacards.ts');
const YEARS = ['2016', '2017'];

function flowRun(dir: string, sets: string[]): Record<string, { status: string; reason?: string }> {
  const args = [join(ROOT, 'cli.ts'), 'run', GRAPH, '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '2'];
  for (const s of sets) args.push('--set', s);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `flow run ${sets.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { type: string; ok: boolean; nodes: Record<string, { status: string; reason?: string }> };
  assert.equal(last.type, 'run-done');
  assert.ok(last.ok);
  return last.nodes;
}

const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0);
const near = (a: number, b: number, what: string, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);
/** Numbers in the card's text have 8 significant digits (the shapes files keep full precision). */
const CARD_PRECISION = 5e-8;

/** Sum of named templates, bin by bin. */
function added(hists: Map<string, TemplateHistogram>, names: Array<[string, number]>): number[] {
  let out: number[] | undefined;
  for (const [name, factor] of names) {
    const h = hists.get(name);
    assert.ok(h, `histograms.root lacks ${name}`);
    out ??= new Array(h.values.length).fill(0);
    for (let i = 0; i < h.values.length; i++) out[i]! += factor * h.values[i]!;
  }
  return out!;
}

interface Check { card: Datacard; shapes: Map<string, TemplateHistogram>; hists: Map<string, TemplateHistogram> }

async function readCategory(out: string, category: string, label: string): Promise<Check> {
  const dir = join(out, 'datacards');
  const card = parseDatacard(readFileSync(join(dir, `datacard_${category}_${label}.txt`), 'utf8'), `datacard_${category}_${label}.txt`);
  return { card, shapes: await readRootHistograms(join(dir, `shapes_${category}_${label}.root`)), hists: await readRootHistograms(join(out, 'histograms.root')) };
}

/** Each (process, year) column: rate and nominal shape = the sum of its samples' templates. */
function checkColumns(c: Check, category: string, processes: Record<string, string[]>): void {
  assert.deepEqual(c.card.columns.map((col) => col.process), Object.keys(processes).flatMap((p) => YEARS.map((y) => `${p}_${y}`)));
  for (const [process, samples] of Object.entries(processes)) {
    for (const year of YEARS) {
      const expected = added(c.hists, samples.map((s) => [`${category}_${s}_${year}`, 1]));
      const col = c.card.columns.find((x) => x.process === `${process}_${year}`)!;
      near(col.rate, sum(expected), `${category} rate of ${col.process}`, CARD_PRECISION);
      const shape = c.shapes.get(`${process}_${year}_nominal`);
      assert.ok(shape, `shapes file lacks ${process}_${year}_nominal`);
      expected.forEach((v, i) => near(shape.values[i]!, v, `${process}_${year}_nominal bin ${i}`));
    }
  }
}

function checkLumiPerYear(card: Datacard): void {
  for (const year of YEARS) {
    const u = card.uncertainties.find((x) => x.name === `lumi_${year}`);
    assert.ok(u && u.type === 'lnN', `lumi_${year}`);
    card.columns.forEach((col, i) => assert.equal(u.effects[i] !== null, col.process.endsWith(`_${year}`), `lumi_${year} on ${col.process}`));
  }
}

test('datacards graph (AGC ttbar, two years): cards, shapes, script and workspace agree with histograms.root', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-datacards-'));
  try {
    flowRun(dir, ['events=10000']);
    const out = join(dir, 'out');
    for (const category of ['4j1b', '4j2b']) {
      const c = await readCategory(out, category, 'agc');
      checkColumns(c, category, { ttbar: ['ttbar'], singletop: ['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'], wjets: ['wjets'] });
      assert.deepEqual(c.card.columns.map((col) => col.id), [0, -1, 1, 2, 3, 4], 'ttbar columns are the signal');
      checkLumiPerYear(c.card);
      // data_obs: the default pseudodata (the nominal prediction) of both years
      const data = added(c.hists, YEARS.flatMap((y) => ['ttbar', 'wjets', 'single_top_s_chan', 'single_top_t_chan', 'single_top_tW'].map((s): [string, number] => [`${category}_${s}_${y}`, 1])));
      near(c.card.observations![0]!, sum(data), `${category} observation`, CARD_PRECISION);
      data.forEach((v, i) => near(c.shapes.get('data_obs_nominal')!.values[i]!, v, `data_obs bin ${i}`));
      // shape nuisances: Combine's {nuisance}Up/Down read the notebook's variation histograms
      for (const [shape, hist] of [['ttbar_2016_btag_var_0Up', `${category}_ttbar_2016_btag_var_0_up`], ['ttbar_2017_ttbar_scaleDown', `${category}_ttbar_2017_scaledown`],
        ['wjets_2016_wjets_scaleUp', `${category}_wjets_2016_scale_var_up`], ['singletop_2017_btag_var_3_2017Down', null]] as const) {
        const got = c.shapes.get(shape);
        assert.ok(got, `shapes file lacks ${shape}`);
        const expected = hist ? added(c.hists, [[hist, 1]]) : added(c.hists, ['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'].map((s) => [`${category}_${s}_2017_btag_var_3_down`, 1]));
        expected.forEach((v, i) => near(got.values[i]!, v, `${shape} bin ${i}`));
      }
      assert.equal(c.card.uncertainties.find((u) => u.name === 'btag_var_0')!.effects.filter((e) => e !== null).length, 6, 'btag_var_0 correlated across years');
      assert.deepEqual(c.card.rateParams.map((r) => [r.name, r.process, r.range]), YEARS.map((y) => ['SF_wjets', `wjets_${y}`, [0, 5]]));
      assert.equal(c.card.autoMCStats.length, 1);
    }
    const script = join(out, 'datacards', 'combine_datacards_agc.sh');
    assert.ok(statSync(script).mode & 0o100, 'the script is executable');
    assert.match(readFileSync(script, 'utf8'), /combineCards\.py 4j1b_2016_2017=datacard_4j1b_agc\.txt 4j2b_2016_2017=datacard_4j2b_agc\.txt/);
    assert.match(readFileSync(script, 'utf8'), /text2workspace\.py/);
    const ws = loadWorkspace(JSON.parse(readFileSync(join(out, 'datacards', 'workspace_agc.json'), 'utf8')));
    assert.deepEqual(checkConsistency(ws), []);
    assert.equal(ws.channels.length, 2);
    // data_obs is the nominal prediction: the combined model fits back r = 1 (the cards, shapes and
    // their conversion to pyhf describe the same model)
    const fit = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'fit', join(out, 'datacards', 'workspace_agc.json'), '--json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(fit.status, 0, fit.stderr);
    const r = JSON.parse(fit.stdout) as { bestfit: Record<string, number>; uncertainty: Record<string, number> };
    assert.ok(Math.abs(r.bestfit.r! - 1) < 1e-3, `r = ${r.bestfit.r}`);
    assert.ok(r.uncertainty.r! > 0 && r.uncertainty.r! < 0.5, `sigma(r) = ${r.uncertainty.r}`);
    // the expected limits lie near 1e-4 of r's range [0, 20]: once all five came out 0.095 (a coarse scan)
    const limit = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'limit', join(out, 'datacards', 'workspace_agc.json'), '--json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(limit.status, 0, limit.stderr);
    const l = JSON.parse(limit.stdout) as { upper_limit_exp: number[]; upper_limit_outside: unknown[]; upper_limit_method: string };
    assert.equal(l.upper_limit_method, 'root');
    assert.deepEqual(l.upper_limit_outside, [null, null, null, null, null, null]);
    l.upper_limit_exp.slice(1).forEach((v, k) => assert.ok(v > l.upper_limit_exp[k]!, `expected band not increasing: ${l.upper_limit_exp}`));
    const median = bisectLimit(buildModel(ws), 2, 1e-8, 20);
    assert.ok(Math.abs(l.upper_limit_exp[2]! / median - 1) < 0.01, `median ${l.upper_limit_exp[2]} vs bisection ${median}`);

    const again = flowRun(dir, ['events=10000']);
    for (const [name, n] of Object.entries(again)) assert.equal(n.status, 'cached', `${name} (${n.reason})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('datacards graph (H->ZZ, analysis=hzz): one 4l category, Higgs signal per year, ZZ rateParam', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-datacards-hzz-'));
  try {
    flowRun(dir, ['analysis=hzz', 'events=5000']);
    const c = await readCategory(join(dir, 'out'), '4l', 'hzz');
    checkColumns(c, '4l', { higgs: ['ggH', 'VBFH', 'WH', 'ZH'], zz: ['zz'], other: ['zee', 'zmumu', 'ttbar'] });
    checkLumiPerYear(c.card);
    assert.deepEqual(c.card.rateParams.map((r) => r.name), ['SF_zz', 'SF_zz']);
    const up = c.shapes.get('zz_2016_m4lUp')!, nominal = c.shapes.get('zz_2016_nominal')!;
    assert.notDeepEqual(Array.from(up.values), Array.from(nominal.values), 'the m4l variation moves events');
    added(c.hists, [['4l_zz_2016_m4lUP', 1]]).forEach((v, i) => near(up.values[i]!, v, `zz_2016_m4lUp bin ${i}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('datacards graph on filesets (one per year, AGC format): columns per year, a missing scale variation falls back to nominal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-datacards-fs-'));
  try {
    const sets: string[] = [];
    let seed = 11;
    for (const year of YEARS) {
      const fileset: Record<string, { nominal: { files: Array<{ path: string; nevts: number }> } }> = {};
      for (const process of ['ttbar', 'single_top_s_chan', 'single_top_t_chan', 'single_top_tW', 'wjets']) {
        const events = process === 'wjets' ? 20000 : process === 'ttbar' ? 6000 : 2000;
        const path = join(dir, `${process}_${year}.root`);
        await writeSample({ kind: 'nanoaod', out: path, events, seed: seed++, process });
        fileset[process] = { nominal: { files: [{ path, nevts: events }] } };
      }
      writeFileSync(join(dir, `inputs_${year}.json`), JSON.stringify(fileset));
      sets.push(`${year}=${join(dir, `inputs_${year}.json`)}`);
    }
    flowRun(dir, [`filesets=${sets.join(',')}`]);
    const c = await readCategory(join(dir, 'out'), '4j2b', 'agc');
    checkColumns(c, '4j2b', { ttbar: ['ttbar'], singletop: ['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'], wjets: ['wjets'] });
    checkLumiPerYear(c.card);
    // no scaleup/scaledown files: PocketCoffea's rule, the nominal template stands in
    const nominal = c.shapes.get('ttbar_2017_nominal')!;
    assert.deepEqual(Array.from(c.shapes.get('ttbar_2017_ttbar_scaleUp')!.values), Array.from(nominal.values));
    assert.ok(sum(nominal.values) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// graphs/tutorial.ts (seed 003) through `flow run`: a graph that starts from files, no event
// processing. From histograms JSON and from histograms.root (written from the same AGC reference
// histograms) it gives the workspace the library builds from those histograms directly and the fit
// of that workspace; from an existing workspace.json the same fit; a missing histogram names the
// config line that wants it, in the graph and in `flow workspace build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFile } from '../src/root/write/index.ts';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { readCabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const GRAPH = join(ROOT, 'graphs/tutorial.ts');
type Raw = Record<string, { contents: number[]; edges: number[] }>;

function flow(args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
}

function run(dir: string, out: string, sets: string[]): Record<string, { status: string }> {
  const args = ['run', GRAPH, '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, out), '--workers', '1'];
  for (const s of sets) args.push('--set', s);
  const r = flow(args);
  assert.equal(r.status, 0, `flow run ${sets.join(' ')}: ${r.stderr.slice(-2000)}${r.stdout.slice(-1500)}`);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.ok(last.ok);
  return last.nodes;
}

test('seed 003 as a graph from files: histograms JSON / ROOT or workspace.json -> the library\'s workspace and fit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-tutorial-'));
  try {
    const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Raw;
    // the independent path: the library's builder on the reference histograms (in-range bins, sumw2 = |w|)
    const expected = JSON.parse(JSON.stringify(buildWorkspace(readCabinetryConfig(AGC_CONFIG_PATH), (n) => raw[n] && {
      edges: raw[n].edges, values: raw[n].contents.slice(1, -1), variances: raw[n].contents.slice(1, -1).map(Math.abs),
    })));
    const model = buildModel(expected);
    const direct = fit(model);

    const nodes = run(dir, 'json', ['templateSystematics=ME variation']);
    assert.deepEqual(Object.keys(nodes).sort(), ['figures', 'fit', 'histograms', 'templates', 'workspace'], 'no event-processing node');
    // the templates node: ME variation acts on ttbar in both regions; the same numbers as flow templates --json
    const tj = JSON.parse(readFileSync(join(dir, 'json/templates.json'), 'utf8'));
    assert.deepEqual(tj.templates.map((t: { file: string }) => t.file), ['4j1b-CR_ttbar_ME-variation.svg', '4j2b-SR_ttbar_ME-variation.svg']);
    for (const t of tj.templates) assert.match(readFileSync(join(dir, 'json/templates', t.file), 'utf8'), /^<svg/);
    assert.match(readFileSync(join(dir, 'json/modifier_grid.svg'), 'utf8'), /^<svg/);
    const cli = flow(['templates', join(dir, 'json/workspace.json'), '--systematic', 'ME variation', '--json']);
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout);
    assert.deepEqual(fromCli.templates.map((t: { up: number[] }) => t.up), tj.templates.map((t: { up: number[] }) => t.up));
    assert.deepEqual(fromCli.modifier_grid.cells, tj.modifier_grid.cells);
    const wsJson = JSON.parse(readFileSync(join(dir, 'json/workspace.json'), 'utf8'));
    assert.deepEqual(wsJson, expected);
    const fitJson = JSON.parse(readFileSync(join(dir, 'json/fit.json'), 'utf8'));
    for (const [i, name] of model.parNames.entries()) {
      assert.ok(Math.abs(fitJson.bestfit[name] - direct.bestfit[i]!) < 1e-6, `${name}: ${fitJson.bestfit[name]} vs ${direct.bestfit[i]}`);
    }

    // histograms.root with the same contents (flow bins and all)
    const f = await createRootFile(join(dir, 'histograms.root'));
    for (const [name, h] of Object.entries(raw)) f.putHist(name, { edges: h.edges, values: h.contents, sumw2: h.contents.map(Math.abs) });
    await f.close();
    run(dir, 'root', ['templates=false', `histograms=${join(dir, 'histograms.root')}`]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'root/workspace.json'), 'utf8')), expected);

    // an existing workspace.json: no histograms node, the same fit
    const fromWs = run(dir, 'ws', ['templates=false', `workspace=${join(dir, 'json/workspace.json')}`]);
    assert.deepEqual(Object.keys(fromWs).sort(), ['figures', 'fit', 'workspace']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'ws/fit.json'), 'utf8')).bestfit, fitJson.bestfit);
    // unchanged files: everything downstream served from the cache
    const again = run(dir, 'ws', ['templates=false', `workspace=${join(dir, 'json/workspace.json')}`]);
    assert.equal(again.fit!.status, 'cached');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a missing histogram names the cabinetry config line that wants it (graph and flow workspace build)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-tutorial-missing-'));
  try {
    const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Raw;
    delete raw['4j2b_ttbar_PS_var'];
    writeFileSync(join(dir, 'h.json'), JSON.stringify(raw));
    // the line of 'PS variation''s Up template (VariationPath "_PS_var") in the AGC config
    const lines = readFileSync(AGC_CONFIG_PATH, 'utf8').split('\n');
    const sysLine = lines.findIndex((l) => l.includes('"PS variation"'));
    const upLine = lines.findIndex((l, i) => i > sysLine && l.includes('VariationPath: "_PS_var"')) + 1;
    const r = flow(['run', GRAPH, '--ui', 'plain', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--set', `histograms=${join(dir, 'h.json')}`]);
    assert.notEqual(r.status, 0);
    const wanted = `missing histogram "4j2b_ttbar_PS_var" (region "4j2b SR", sample "ttbar", systematic "PS variation" Up) (wanted by ${AGC_CONFIG_PATH}:${upLine}: Systematics[1] "PS variation" Up)`;
    assert.ok(`${r.stdout}${r.stderr}`.includes(wanted), `${r.stdout.slice(-1500)}${r.stderr.slice(-1500)}`);

    const f = await createRootFile(join(dir, 'histograms.root'));
    for (const [name, h] of Object.entries(raw)) f.putHist(name, { edges: h.edges, values: h.contents, sumw2: h.contents.map(Math.abs) });
    await f.close();
    const b = flow(['workspace', 'build', AGC_CONFIG_PATH, '--histograms', join(dir, 'histograms.root'), '--out', join(dir, 'ws.json')]);
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, new RegExp(`missing histogram "4j2b_ttbar_PS_var".*wanted by ${AGC_CONFIG_PATH.replaceAll('.', '\\.')}:${upLine}: Systematics\\[1\\] "PS variation" Up`));
    assert.equal(b.stderr.trim().split('\n').length, 1, b.stderr);
    // without --histograms: the file named by the config's InputPath, next to the config
    writeFileSync(join(dir, 'cabinetry_config.yml'), readFileSync(AGC_CONFIG_PATH));
    const c = flow(['workspace', 'build', join(dir, 'cabinetry_config.yml'), '--out', join(dir, 'ws.json')]);
    assert.notEqual(c.status, 0);
    assert.ok(c.stderr.includes(`missing histogram "4j2b_ttbar_PS_var" (needed by the cabinetry config) (wanted by ${join(dir, 'cabinetry_config.yml')}:${upLine}: Systematics[1] "PS variation" Up)`), c.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

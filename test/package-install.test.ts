// hepflow outside this repository: the package `npm pack` makes, installed into a new folder with
// npm, runs a user's graph .ts that imports 'hepflow' (Node will not strip types under node_modules,
// so the package must ship JavaScript) and type-checks it against the shipped declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './engine/harness.ts';

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Done> {
  return new Promise((resolveDone, reject) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_fund: 'false', npm_config_audit: 'false' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolveDone({ code, stdout, stderr });
    });
  });
}

const GRAPH = `import { graph, z, regular, strCategory, ge, type FillFn } from 'hepflow';

export default graph('outside', { params: z.object({ events: z.number().int().positive().default(5_000) }) }, (g, p) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: p.events } } });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass'], where: (e: { nJet: number }) => e.nJet >= 2 });
  const hists = g.fill('mjj', events, {
    histograms: { mjj: [regular(20, 0, 400, { name: 'mjj' }), strCategory([], { name: 'process', growth: true })] },
    fill: ((ev, h, { sample, weight }) => {
      const jets = ev.collection('Jet');
      const good = jets.filter(jets.pt.gt(30));
      const pairs = good.selectEvents(ge(good.counts(), 2));
      h.mjj!.fill({ mjj: pairs.p4().sumCombinations(pairs.combinations(2)).mass().content, process: sample.process }, weight);
    }) satisfies FillFn,
    lumi: 1000,
  });
  g.merge('all', hists, { output: { json: 'histograms.json' } });
});
`;

// the subpath exports a graph may use, at run time and in the shipped declarations
const SUBPATHS = `import { agcAxes } from 'hepflow/analysis';
import { buildModel } from 'hepflow/stats';
import { plotKind } from 'hepflow/nodes';
import { UserError, type HistogramsArtifact } from 'hepflow';
const axes: unknown[] = agcAxes(4, 0, 1);
const kind: { output: 'Figures' } = plotKind(['Histograms']);
const none: HistogramsArtifact | undefined = undefined;
console.log(JSON.stringify({ axes: axes.length, model: typeof buildModel, kind: kind.output, user: new UserError('x') instanceof Error, none }));
`;

const TSCONFIG = {
  compilerOptions: { target: 'esnext', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: [], noUncheckedIndexedAccess: true },
  include: ['graph.ts', 'wrong.ts', 'subpaths.ts', 'quickstart.ts', 'hzz.ts'],
};

test('npm pack, npm install into a new folder: a graph importing hepflow runs and type-checks', { timeout: 600_000 }, async () => {
  const stage = tempDir('pkg-stage');
  const build = await sh(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', join(stage, 'dist')], ROOT);
  assert.equal(build.code, 0, build.stderr + build.stdout);
  for (const f of ['package.json', 'README.md', 'bin']) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  const pack = await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', stage], stage);
  assert.equal(pack.code, 0, pack.stderr);
  const tarball = readdirSync(stage).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, `no tarball in ${stage}: ${pack.stdout}`);

  const user = tempDir('pkg-user');
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'analysis', private: true, type: 'module' }));
  // the dependencies come from npm's cache that `npm ci` filled (CI and this machine are offline)
  const install = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(stage, tarball)], user);
  assert.equal(install.code, 0, install.stderr);
  assert.ok(existsSync(join(user, 'node_modules/hepflow/dist/cli.js')), 'the package ships compiled JavaScript');
  assert.ok(!existsSync(join(user, 'node_modules/hepflow/cli.ts')), 'and no TypeScript to strip under node_modules');

  writeFileSync(join(user, 'graph.ts'), GRAPH);
  const run = await sh(join(user, 'node_modules/.bin/flow'), ['run', 'graph.ts', '--ui', 'json', '--workers', '1'], user);
  assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  const done = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { type: string; ok: boolean; nodes: Record<string, { status: string }> };
  assert.equal(done.type, 'run-done');
  assert.ok(done.ok);
  assert.deepEqual(Object.keys(done.nodes).sort(), ['all', 'inputs', 'mjj', 'skim']);
  const hist = JSON.parse(readFileSync(join(user, 'out/outside/histograms.json'), 'utf8')) as unknown;
  assert.ok(JSON.stringify(hist).includes('mjj'), 'histograms.json holds the filled histogram');

  writeFileSync(join(user, 'subpaths.ts'), SUBPATHS);
  const sub = await sh(process.execPath, ['subpaths.ts'], user);
  assert.equal(sub.code, 0, sub.stderr);
  assert.deepEqual(JSON.parse(sub.stdout), { axes: 4, model: 'function', kind: 'Figures', user: true });
  // the example graphs import only the public API: they load from the installed package as they are
  for (const example of ['quickstart', 'hzz', 'ttbar', 'datacards']) {
    cpSync(join(ROOT, 'graphs', `${example}.ts`), join(user, `${example}.ts`));
    const shown = await sh(join(user, 'node_modules/.bin/flow'), ['graph', `${example}.ts`], user);
    assert.equal(shown.code, 0, `${example}: ${shown.stderr}`);
    assert.match(shown.stdout, new RegExp(`^graph ${example} \\(${example}\\.ts\\): \\d+ nodes`));
  }

  // the shipped declarations type the API: the graph checks, a wrong option type does not
  writeFileSync(join(user, 'wrong.ts'), `import { graph } from 'hepflow';\nexport default graph('w', (g) => { g.skim('s', g.fetch('f', { samples: {} }), { tree: 1, branches: [] }); });\n`);
  writeFileSync(join(user, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  const tsc = await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', user], user);
  const errors = tsc.stdout.trim().split('\n').filter(Boolean);
  assert.equal(errors.length, 1, `exactly the planted error expected:\n${tsc.stdout}`);
  assert.match(errors[0]!, /^wrong\.ts\(2,\d+\): error TS2322/);
});

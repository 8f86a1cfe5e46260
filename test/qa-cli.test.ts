// Regression tests for problems found by trying the product as a new user: every bad input gives
// one line on stderr naming what is at fault, and help is reachable everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/errors.ts';
import { parseCommandArgs } from '../src/cli/parse-args.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { main as workspaceMain } from '../src/stats/build/cli.ts';
import { flow, ROOT, tempDir } from './engine/harness.ts';

const dir = tempDir('qa');
const shared = join(ROOT, '../shared/data');

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected on stderr, got:\n${stderr}`);
  return lines[0]!;
}

test('a negative number after an option is one line that says how to pass it', () => {
  assert.throws(() => parseCommandArgs('run', ['g.ts', '--workers', '-1'], { workers: { type: 'string' } }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, /^run: .*'--workers'.*--workers=VALUE/);
    return true;
  });
});

test('command errors say "flow" once', async () => {
  const r = await flow(['root', 'ls'], dir);
  assert.equal(r.code, 2);
  assert.equal(oneLine(r.stderr), 'flow: root ls: expected one FILE, got 0');
});

test('flow workspace SUBCOMMAND --help prints the usage; a missing argument is one line', async () => {
  const log = console.log;
  const printed: string[] = [];
  console.log = (s: string) => printed.push(s);
  try {
    assert.equal(await workspaceMain(['build', '--help']), 0);
    assert.equal(await workspaceMain(['datacard', '-h']), 0);
  } finally {
    console.log = log;
  }
  assert.equal(printed.length, 2);
  assert.match(printed[0]!, /flow workspace build CONFIG\.yml/);
  await assert.rejects(workspaceMain(['build']), (err: unknown) => err instanceof UserError && /expected one CONFIG\.yml/.test(err.message) && !err.message.includes('\n'));
  const r = await flow(['workspace', 'combine-cards'], dir);
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /^flow: workspace combine-cards: expected LABEL=CARD\.txt/);
});

test('flow root dump on a file with histograms only dumps its histograms', { skip: !existsSync(shared) && 'no ../shared' }, async () => {
  const file = join(shared, 'root/uproot-histograms.root');
  const r = await flow(['root', 'dump', file], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /uproot-histograms\.root: 3 histograms/);
  assert.match(r.stdout, /^ {2}one {2}TH1F {2}10 bins, 10000 entries/m);
});

test('a workspace with one wrong array names that array, not the arrays that agree', () => {
  const channel = (data: number[]) => ({
    name: 'SR',
    samples: [
      { name: 'sig', data, modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: [5, 6, 7], modifiers: [{ name: 'stat', type: 'staterror', data: [1, 1, 1] }] },
    ],
  });
  const ws = (obs: number[], sig: number[]) => ({
    channels: [channel(sig)],
    observations: [{ name: 'SR', data: obs }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
    version: '1.0.0',
  });
  assert.throws(() => loadWorkspace(ws([1, 2, 3, 4], [1, 2, 3]), 'ws.json'), { message: "ws.json: observations[0].data (channel 'SR'): expected 3 numbers, got 4" });
  assert.throws(() => loadWorkspace(ws([1, 2, 3], [1, 2]), 'ws.json'), { message: 'ws.json: channels[0].samples[0].data: expected 3 numbers, got 2' });
});

test('a tree name typo in a skim: the file is named once and the whole message ends the summary', async () => {
  const graphPath = join(dir, 'typo.ts');
  writeFileSync(graphPath, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('typo', (g) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: 300 } } });
  g.skim('skim', files, { tree: 'Evnts', branches: ['nJet'] });
});
`);
  const r = await flow(['run', graphPath, '--ui', 'plain', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '0'], dir);
  assert.equal(r.code, 1);
  const line = r.stdout.split('\n').find((l) => l.startsWith('error in skim: '));
  assert.ok(line, r.stdout);
  assert.match(line, /no tree 'Evnts'; did you mean 'Events'\?$/);
  const file = /error in skim: (\S+\.root): /.exec(line)?.[1];
  assert.ok(file && existsSync(file), line);
  assert.equal(line.split(file).length - 1, 1, `file named more than once: ${line}`);
  assert.ok(readFileSync(file).subarray(0, 4).toString() === 'root');
});

test('a file-system refusal (an --out or --cache-dir under a file) is one line, not a stack trace', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cache = await flow(['run', join(dir, 'typo.ts'), '--cache-dir', join(file, 'cache'), '--ui', 'plain'], dir);
  assert.equal(cache.code, 2);
  assert.match(oneLine(cache.stderr), /^flow: --cache-dir .*a-file\/cache: .*a-file is not a directory/);
  const card = join(shared, 'combine/simple-counting-experiment.txt');
  const out = await flow(['workspace', 'datacard', card, '--out', join(file, 'ws.json')], dir);
  assert.equal(out.code, 2);
  assert.match(out.stderr.trim().split('\n').at(-1)!, /^flow: --out .*a-file: .*a-file is not a directory/);
  assert.doesNotMatch(out.stderr, /^\s+at /m);
});

test('an unknown option is the same one line in every command', async () => {
  for (const args of [['run', 'g.ts'], ['graph', 'g.ts'], ['cache', 'ls'], ['root', 'ls', 'f.root'], ['gen', 'nanoaod'], ['inspect', 'w.json'], ['fit', 'w.json'], ['limit', 'w.json']]) {
    const r = await flow([...args, '--bogus'], dir);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(oneLine(r.stderr), /^flow: [a-z ]+: Unknown option '--bogus' \(--help for options\)$/, args.join(' '));
  }
});

test('flow root dump: header and rows line up whatever the name and type widths', { skip: !existsSync(shared) && 'no ../shared' }, async () => {
  for (const [file, extra] of [['uproot-vectorVectorDouble.root', []], ['uproot-HZZ.root', ['--tree', 'events', '--branches', 'Muon_P*,NMuon']]] as const) {
    const r = await flow(['root', 'dump', join(shared, 'root', file), ...extra], dir);
    assert.equal(r.code, 0, r.stderr);
    const [, header, ...rows] = r.stdout.trimEnd().split('\n');
    const countEnd = header!.indexOf('count') + 'count'.length;
    const typeStart = header!.indexOf('type');
    for (const row of rows) {
      const cells = row.trim().split(/\s+/);
      assert.equal(row.indexOf(` ${cells[2]} `, typeStart) + 1 + cells[2]!.length, countEnd, `count column of '${row}' vs '${header}'`);
      assert.equal(row.indexOf(cells[1]!, cells[0]!.length + 2), typeStart, `type column of '${row}' vs '${header}'`);
    }
  }
  const gen = await flow(['gen', 'nanoaod', '--events', 'x', '--out', join(dir, 'x.root')], dir);
  assert.equal(oneLine(gen.stderr), "flow: gen: --events must be an integer >= 0, got 'x'");
});

test('a missing or unreadable workspace says why in words', async () => {
  const missing = await flow(['fit', join(dir, 'nope.json')], dir);
  assert.equal(missing.code, 2);
  assert.match(oneLine(missing.stderr), /^flow: cannot read workspace '.*nope\.json': no such file or directory$/);
  const folder = await flow(['inspect', dir], dir);
  assert.match(oneLine(folder.stderr), /^flow: cannot read workspace '.*': it is a directory, not a regular file$/);
});

test('an error in a fill function fails the fill node, not the skim whose chunks it shared', async () => {
  const graphPath = join(dir, 'throws.ts');
  writeFileSync(graphPath, `import { graph, regular } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('throws', (g) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: 300 } } });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet'] });
  g.fill('counts', events, {
    histograms: { n: [regular(5, 0, 10, { name: 'n' })] },
    fill: () => { throw new Error('boom in fill'); },
  });
});
`);
  const r = await flow(['run', graphPath, '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '0', '--retries', '0'], dir);
  assert.equal(r.code, 1);
  const failed = Object.fromEntries(r.events.filter((e) => e.type === 'node-failed').map((e) => [e.node, e.error as string]));
  assert.match(failed.counts ?? '', /node 'counts' \(fill\): boom in fill/);
  assert.deepEqual(Object.keys(failed), ['counts']);
  const skipped = r.events.find((e) => e.type === 'node-skipped' && e.node === 'skim');
  assert.equal(skipped?.because, "stopped: node 'counts' failed on the same chunks");
});

test('a misspelt builder method is an unknown node kind, with the line', async () => {
  const graphPath = join(dir, 'misspelt.ts');
  writeFileSync(graphPath, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('misspelt', (g) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: 300 } } });
  (g as any).skimm('skim', files, { tree: 'Events', branches: ['nJet'] });
});
`);
  const r = await flow(['graph', 'misspelt.ts'], dir);
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /^flow: misspelt\.ts: building graph 'misspelt' failed: unknown node kind 'skimm' \(the graph builder has .*\bskim\b.*\) \(at misspelt\.ts:4:\d+\)$/);
});

test('flow workspace build: a missing histograms file points at General.InputPath and --histograms', { skip: !existsSync(shared) && 'no ../shared' }, async () => {
  const r = await flow(['workspace', 'build', join(shared, 'agc/cabinetry_config.yml')], dir);
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /agc\/histograms\.root: no such file \(from the config's General\.InputPath "histograms\.root:.*"\); --histograms FILE\.root reads another file$/);
});

test('flow workspace datacard: a missing shapes file is named with the shapes line it comes from', { skip: !existsSync(shared) && 'no ../shared' }, async () => {
  const r = await flow(['workspace', 'datacard', join(shared, 'combine/template-analysis-datacard.txt')], dir);
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /template-analysis-datacard-input\.root: no such file \(named by the datacard's shapes line "template-analysis-datacard-input\.root"/);
});

test('graph modules that do not load: one line, the message once, the line as a relative path', async () => {
  mkdirSync(join(dir, 'graphs'), { recursive: true });
  const folder = await flow(['run', 'graphs'], dir);
  assert.equal(folder.code, 2);
  assert.equal(oneLine(folder.stderr), "flow: graphs is a directory; give the graph's .ts file");
  writeFileSync(join(dir, 'imports.ts'), `import x from './missing-module.ts';\nexport default x;\n`);
  const imports = await flow(['graph', 'imports.ts'], dir);
  const line = oneLine(imports.stderr);
  assert.match(line, /^flow: imports\.ts: cannot load the graph module: Error: Cannot find module '.*missing-module\.ts'/);
  assert.equal(line.split('Cannot find module').length - 1, 1, line);
  writeFileSync(join(dir, 'top.ts'), `\nthrow new Error('top-level boom');\n`);
  const top = await flow(['graph', 'top.ts'], dir);
  assert.equal(oneLine(top.stderr), 'flow: top.ts: cannot load the graph module: Error: top-level boom (top.ts:2:7)');
});

test('--workers 0 is shown as the main thread, not "0 workers"', async () => {
  const { formatWorkers } = await import('../src/ui/format.ts');
  assert.deepEqual([0, 1, 2].map(formatWorkers), ['main thread', '1 worker', '2 workers']);
  const r = await flow(['run', join(dir, 'typo.ts'), '--ui', 'plain', '--workers', '0', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out')], dir);
  assert.match(r.stdout.split('\n')[0]!, /: 2 nodes, main thread, cache /);
});

test('flow fit/limit --poi-value outside the POI bounds is refused, naming the bounds', { skip: !existsSync(shared) && 'no ../shared' }, async () => {
  const ws = join(dir, 'counting.json');
  const built = await flow(['workspace', 'datacard', join(shared, 'combine/simple-counting-experiment.txt'), '--out', ws], dir);
  assert.equal(built.code, 0, built.stderr);
  const bounds = JSON.parse(readFileSync(ws, 'utf8')).measurements[0].config.parameters.find((p: { name: string }) => p.name === 'r')?.bounds?.[0] ?? [0, 20];
  const low = await flow(['limit', ws, '--poi-value=-1'], dir);
  assert.equal(low.code, 2);
  assert.equal(oneLine(low.stderr), `flow: limit: --poi-value -1 is outside the bounds [${bounds[0]}, ${bounds[1]}] of POI 'r' in ${ws}`);
  const high = await flow(['fit', ws, '--poi-value', String(bounds[1] + 1)], dir);
  assert.equal(high.code, 2);
  assert.match(oneLine(high.stderr), /^flow: fit: --poi-value \d+ is outside the bounds/);
  const inside = await flow(['limit', ws, '--poi-value', String(bounds[1]), '--json'], dir);
  assert.equal(inside.code, 0, inside.stderr);
});

test('--skip-bad-files lists an unreadable file with its path once', async () => {
  const good = join(dir, 'good.root');
  const gen = await flow(['gen', 'atlas4lep', '--events', '200', '--out', good], dir);
  assert.equal(gen.code, 0, gen.stderr);
  const cut = join(dir, 'cut.root');
  writeFileSync(cut, readFileSync(good).subarray(0, 3000));
  const graphPath = join(dir, 'skipbad.ts');
  writeFileSync(graphPath, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('skipbad', (g) => {
  const files = g.fetch('inputs', { samples: { zz: [${JSON.stringify(good)}, ${JSON.stringify(cut)}] } });
  g.skim('skim', files, { tree: 'mini', branches: ['lep_n'] });
});
`);
  const r = await flow(['run', graphPath, '--ui', 'plain', '--no-cache', '--skip-bad-files', '--workers', '0', '--out', join(dir, 'out')], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  const listed = lines[lines.indexOf('skipped files (1):') + 1]!;
  assert.match(listed, /cut\.root: /);
  assert.equal(listed.split(cut).length - 1, 1, listed);
});

test('a corrupt basket: the file named once, no "UserError:" in the message', async () => {
  const good = join(dir, 'tocorrupt.root');
  const gen = await flow(['gen', 'atlas4lep', '--events', '2000', '--out', good], dir);
  assert.equal(gen.code, 0, gen.stderr);
  const bytes = readFileSync(good);
  for (let i = Math.floor(bytes.length * 0.1); i < Math.floor(bytes.length * 0.6); i++) bytes[i]! ^= 0x33;
  const bad = join(dir, 'corrupt.root');
  writeFileSync(bad, bytes);
  const graphPath = join(dir, 'corrupt.ts');
  writeFileSync(graphPath, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('corrupt', (g) => {
  const files = g.fetch('inputs', { samples: { zz: [${JSON.stringify(bad)}] } });
  g.skim('skim', files, { tree: 'mini', branches: ['lep_n', 'lep_pt', 'lep_eta', 'lep_phi'] });
});
`);
  const r = await flow(['run', graphPath, '--ui', 'plain', '--no-cache', '--workers', '0', '--retries', '0', '--out', join(dir, 'out')], dir);
  assert.equal(r.code, 1, r.stdout);
  const line = r.stdout.split('\n').find((l) => l.startsWith('error in skim: '));
  assert.ok(line, r.stdout);
  assert.equal(line.split(bad).length - 1, 1, line);
  assert.doesNotMatch(line, /UserError/);
});

test('an unreachable input URL says why (refused, DNS), not just "fetch failed"', async () => {
  const { createServer } = await import('node:net');
  const { fingerprintUrl } = await import('../cache/fingerprint.ts');
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((res) => server.close(() => res()));
  await assert.rejects(fingerprintUrl(`http://127.0.0.1:${port}/x.root`, { timeoutMs: 5000 }), /cannot fingerprint http:\/\/127\.0\.0\.1:\d+\/x\.root: fetch failed \(ECONNREFUSED\)/);
});

test('a --set given twice is one line naming it, not a silent override', async () => {
  const { parseSetArgs } = await import('../src/engine/params.ts');
  assert.deepEqual(parseSetArgs(['a=1', 'b=x,y']), { a: '1', b: 'x,y' });
  assert.throws(() => parseSetArgs(['a=1', 'a=2']), (err: unknown) => err instanceof UserError && /--set a is given twice/.test(err.message));
});

test('flow root ls --tree lists that tree only, and names a missing one', async () => {
  const file = join(shared, 'root', 'uproot-HZZ-zlib.root');
  const r = await flow(['root', 'ls', file, '--tree', 'events', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.trees), ['events']);
  assert.ok(out.keys.every((k: { path: string }) => k.path === 'events'));
  const bad = await flow(['root', 'ls', file, '--tree', 'nope'], dir);
  assert.equal(bad.code, 2);
  assert.match(oneLine(bad.stderr), /no tree 'nope'/);
});

test('an --out under /proc or below a file is one line before anything runs (no hang)', async () => {
  const { spawnSync } = await import('node:child_process');
  for (const [out, msg] of [['/proc/hepflow-test/out', /kernel pseudo-filesystem/], ['/etc/hostname/out', /is not a directory/]] as const) {
    const r = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'run', join(ROOT, 'graphs', 'quickstart.ts'), '--out', out, '--ui', 'plain'], { cwd: dir, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    assert.equal(r.status, 2, `${out}: ${r.stderr}`);
    assert.match(oneLine(r.stderr), msg);
  }
});

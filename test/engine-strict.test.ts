// --strict (issue 13 item 9): a warning of node code fails its node, naming node and chunk: a NaN
// weight in a fill (main thread and worker), a global node's ctx.warn. A strict run never reuses a
// result computed (with its warning) by a run without --strict.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, flow, runDone } from './engine/harness.ts';
import { NANOAOD } from './helpers/events-read-nanoaod.ts';

const dir = mkdtempSync(join(tmpdir(), 'hepflow-strict-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--strict: a NaN weight fails the fill node, naming node, chunk and histogram; without it a warning', { skip: !existsSync(NANOAOD) }, async () => {
  writeFileSync(join(dir, 'fill.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { regular } from ${JSON.stringify(join(ROOT, 'src/hist/index.ts'))};
export default graph('strict', (g) => {
  const files = g.fetch('inputs', { samples: { ttbar: { files: [${JSON.stringify(NANOAOD)}], xsec: 1, nevts: 1000 } } });
  const events = g.skim('events', files, { tree: 'Events', branches: ['Jet_pt'] });
  g.fill('hists', events, { histograms: { n: [regular(4, 0, 4, { name: 'x' })] }, lumi: 1, fill: (ev, h) => {
    const w = new Float64Array(ev.entries).fill(1);
    w[0] = NaN;
    h.n.fill({ x: new Float64Array(ev.entries) }, w);
  } });
});
`);
  const args = ['run', 'fill.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out'];
  const lax = await flow(args, dir);
  assert.equal(lax.code, 0, lax.stderr);
  assert.ok(lax.events.some((e) => e.type === 'warning' && e.node === 'hists' && /histogram 'n' has 1 bin\(s\) with a NaN/.test(e.message)));
  for (const workers of ['0', '1']) {
    const r = await flow([...args, '--strict', '--workers', workers], dir, { env: { FLOW_IN_THREAD_EVENTS: '0' } });
    assert.equal(r.code, 1, `--workers ${workers}: ${r.stderr}`);
    const done = runDone(r);
    assert.equal(done.nodes.hists.status, 'failed');
    assert.match(done.nodes.hists.error, /node 'hists' \(fill\): fill node 'hists', chunk \S*nanoAOD\S*\[\d+:\d+\]: histogram 'n' has 1 bin\(s\) with a NaN .*\(a warning, an error with --strict\)/);
  }
});

test('--strict: a warning of a global node fails it; without --strict it is a warning', async () => {
  writeFileSync(join(dir, 'call.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toyCall } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('call', (g) => {
  g.node(toyCall, 'call', [], { f: (ctx) => { ctx.warn('the fit did not converge'); return 1; } });
});
`);
  const args = ['run', 'call.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out-call'];
  const lax = await flow(args, dir);
  assert.equal(lax.code, 0, lax.stderr);
  assert.ok(lax.events.some((e) => e.type === 'warning' && e.node === 'call' && e.message === 'the fit did not converge'));
  const r = await flow([...args, '--strict'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(runDone(r).nodes.call.error, /^node 'call' \(toy-call\): the fit did not converge \(a warning, an error with --strict\) \(at \S*call\.ts:4:\d+\)$/);
});

// Error messages that show the fix (issue 17 section 4): a fill without xsec/nevts names
// `normalise: 'none'`, and only the failing fill is reported failed (its skim stopped, not failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ROOT, tempDir } from './engine/harness.ts';
import { runInProcess, writeGraph } from './nodes-fixtures.ts';

const FILE = resolve(ROOT, '../shared/data/root/uproot-HZZ-zlib.root');

test('a fill of a sample without xsec and nevts says how to fill unweighted; the skim is not failed', async () => {
  const dir = tempDir('error-hints');
  const body = (normalise: string) => `
  const files = g.fetch('inputs', { samples: { zz: [${JSON.stringify(FILE)}] } });
  const ev = g.skim('skim', files, { tree: 'events', branches: ['NMuon'] });
  g.fill('hists', ev, { ${normalise} histograms: { n: [{ type: 'regular', name: 'n', bins: 5, lo: 0, hi: 5 }] }, fill: (e, h) => { h.n.fill({ n: e.col('NMuon') }); } });`;
  const bad = await runInProcess(writeGraph(dir, 'weighted', body('')), dir, { noCache: true });
  const nodes = bad.summary!.nodes;
  assert.equal(nodes.hists!.status, 'failed');
  assert.match(nodes.hists!.error!, /sample 'zz' \(nominal\) needs xsec and nevts metadata .*fill with normalise: 'none' for unweighted histograms/);
  assert.equal(nodes.skim!.status, 'skipped');
  assert.equal(nodes.skim!.reason, "stopped: node 'hists' failed on the same chunks");
  assert.equal(nodes.inputs!.status, 'computed');
  const ok = await runInProcess(writeGraph(dir, 'unweighted', body("normalise: 'none',")), dir, { noCache: true });
  assert.equal(ok.summary!.ok, true, JSON.stringify(ok.summary!.nodes));
});

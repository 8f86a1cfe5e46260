// Yield tables (cabinetry's tabulate.yields layout) from a fit node: the files hold the fit's pre-
// and post-fit numbers, totals are the sums of the samples, per-channel cells the sums over bins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';

const ws = {
  version: '1.0.0',
  channels: [
    { name: 'SR', samples: [
      { name: 'signal', data: [2, 6, 3], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: [100, 90, 80], modifiers: [{ name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } }] },
    ] },
    { name: 'CR', samples: [{ name: 'bkg', data: [400, 380], modifiers: [{ name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } }] }] },
  ],
  observations: [{ name: 'SR', data: [104, 99, 85] }, { name: 'CR', data: [410, 371] }],
  measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
};

interface Ch { samples: Array<{ name: string; yields: number[] }>; total: number[]; uncertainty: number[]; sum: number; sumUncertainty: number }

const parseCsv = (text: string) => text.trim().split('\n').map((l) => l.split(','));

test('fit node writes per-bin and per-channel yield tables (md, csv, tex) with the fit numbers', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'tables', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(ws)} });
  const f = g.fit('fit', ws);
  g.plot('figures', [f], { prefit: false, postfit: false, pulls: false, correlation: false, png: false });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const out = join(dir, 'out');
    const fit = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
    for (const label of ['prefit', 'postfit'] as const) {
      const pred = fit[label] as { channels: Ch[] };
      const bins = parseCsv(readFileSync(join(out, 'yields', `${label}_bins.csv`), 'utf8'));
      // channels in the model's (sorted) order, 2 columns per bin: CR bins 1-2 then SR bins 1-3
      assert.deepEqual(bins[0]!.filter((_, i) => i % 2 === 1), ['CR bin 1', 'CR bin 2', 'SR bin 1', 'SR bin 2', 'SR bin 3']);
      const row = (name: string) => bins.find((x) => x[0] === name)!.slice(1).map(Number);
      const flat = (f: (c: Ch) => number[]) => pred.channels.flatMap(f);
      const bkg = row('bkg'), sig = row('signal'), total = row('total');
      const at = (xs: number[], k: number) => xs[2 * k]!;
      flat((c) => c.samples.find((s) => s.name === 'bkg')!.yields).forEach((v: number, k: number) => assert.equal(at(bkg, k), v));
      flat((c) => c.total).forEach((v: number, k: number) => {
        assert.equal(at(total, k), v);
        assert.ok(Math.abs(v - at(bkg, k) - at(sig, k)) < 1e-9 * v, 'total = sum of the samples');
      });
      flat((c) => c.uncertainty).forEach((v: number, k: number) => assert.equal(total[2 * k + 1], v));
      const chans = parseCsv(readFileSync(join(out, 'yields', `${label}_channels.csv`), 'utf8'));
      const chTotal = chans.find((x) => x[0] === 'total')!.slice(1).map(Number);
      pred.channels.forEach((c, k) => {
        assert.ok(Math.abs(chTotal[2 * k]! - c.total.reduce((a, b) => a + b, 0)) < 1e-9 * c.sum);
        assert.equal(chTotal[2 * k + 1], c.sumUncertainty);
      });
      const md = readFileSync(join(out, 'yields', `${label}_channels.md`), 'utf8');
      assert.match(md, /^\| sample \| CR \| SR \|\n\| --- \| ---: \| ---: \|\n/);
      assert.match(md, new RegExp(`\\| total \\| ${pred.channels[0]!.sum.toFixed(2)} ± ${pred.channels[0]!.sumUncertainty.toFixed(2)} \\|`));
      const tex = readFileSync(join(out, 'yields', `${label}_bins.tex`), 'utf8');
      assert.match(tex, /^\\begin\{tabular\}\{lrrrrr\}/);
      assert.match(tex, /\$\\pm\$/);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /post-fit yields per bin/);
  });
});

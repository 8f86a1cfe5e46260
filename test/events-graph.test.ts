// End to end through `flow run`: fetch -> skim -> select(AGC) -> fill -> merge on two copies of the
// real NanoAOD file (as ttbar and wjets), outputs with cabinetry names and the AGC rebinning; the
// written histograms must equal a direct in-process run, and a changed binning re-fills only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events } from '../src/columnar/index.ts';
import { agcHistogram, agcProcess, AGC_BRANCHES_V1 } from '../src/analysis/agc.ts';
import { NANOAOD, readWithJsroot } from './helpers/events-read-nanoaod.ts';

const root = new URL('..', import.meta.url).pathname;

function graphSource(dir: string, bins: number): string {
  return `import { graph } from '${root}src/index.ts';
import { agcAxes, agcFillFn, agcSelectFn, AGC_BRANCHES_V1 } from '${root}src/analysis/agc.ts';
export default graph('agc-e2e', (g) => {
  const files = g.fetch('inputs', { samples: {
    ttbar: { files: ['${dir}/ttbar.root'], xsec: 729.84, nevts: 6389801 },
    wjets: { files: ['${dir}/wjets.root'], xsec: 15487.16, nevts: 5913030 },
  } });
  const events = g.skim('events', files, { tree: 'Events', branches: AGC_BRANCHES_V1 });
  const sel = g.select('agc', events, { select: agcSelectFn, options: {} });
  const hists = g.fill('hists', sel, { histograms: { agc: agcAxes(${bins}) }, fill: agcFillFn, lumi: 3378 });
  g.merge('all', hists, { output: { json: 'histograms.json', root: 'histograms.root', rebinFrom: { axis: 'observable', lo: 110, factor: 2 } } });
});
`;
}

function flowRun(dir: string): Record<string, { status: string }> {
  const out = execFileSync(process.execPath, [join(root, 'cli.ts'), 'run', join(dir, 'graph.ts'), '--out', join(dir, 'out'), '--cache-dir', join(dir, 'cache'), '--ui', 'json', '--workers', '1'], { encoding: 'utf8', cwd: root });
  const last = JSON.parse(out.trim().split('\n').at(-1)!) as { type: string; ok: boolean; nodes: Record<string, { status: string }> };
  assert.equal(last.type, 'run-done');
  assert.ok(last.ok, out.slice(-2000));
  return last.nodes;
}

test('flow run of an AGC graph writes histograms equal to a direct run; new binning re-fills only', { skip: !existsSync(NANOAOD) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-events-e2e-'));
  try {
    copyFileSync(NANOAOD, join(dir, 'ttbar.root'));
    copyFileSync(NANOAOD, join(dir, 'wjets.root'));
    writeFileSync(join(dir, 'graph.ts'), graphSource(dir, 25));
    flowRun(dir);
    const written = JSON.parse(readFileSync(join(dir, 'out', 'histograms.json'), 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
    const { batch } = await readWithJsroot(NANOAOD, 'Events', AGC_BRANCHES_V1);
    for (const [process, xsec, nevts] of [['ttbar', 729.84, 6389801], ['wjets', 15487.16, 5913030]] as const) {
      // the chunk's smearing seed is the engine's; compare the seed-independent histograms
      const h = agcProcess(new Events(batch), { process, variation: 'nominal', xsec, nevts }, agcHistogram(), {}, 0);
      for (const v of ['nominal', 'pt_scale_up', 'btag_var_0_up']) {
        const name = v === 'nominal' ? `4j1b_${process}` : `4j1b_${process}_${v}`;
        const expected = h.slice({ region: '4j1b', process, variation: v }).rebinFrom('observable', 110, 2).withFlow();
        assert.deepEqual(written[name]!.edges, [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550]);
        written[name]!.contents.forEach((x, i) => assert.ok(Math.abs(x - expected.values[i]!) < 1e-9 * Math.max(1, x), `${name} bin ${i}`));
      }
      assert.ok(written[`4j1b_${process}`]!.contents.some((x) => x > 0));
    }
    assert.ok(existsSync(join(dir, 'out', 'histograms.root')));
    writeFileSync(join(dir, 'graph.ts'), graphSource(dir, 50));
    const nodes = flowRun(dir);
    assert.equal(nodes.events!.status, 'cached');
    assert.equal(nodes.agc!.status, 'cached');
    assert.equal(nodes.hists!.status, 'computed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

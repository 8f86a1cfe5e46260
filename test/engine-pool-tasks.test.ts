// Sample generation and figure drawing run on the worker pool (ctx.parallel, one file or figure per
// task): the node is announced running before its work, reports per-item progress from worker
// threads, and gives byte-identical files to the same run in the main thread (--workers 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../src/engine/events.ts';
import { runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';

const BODY = `
  g.generate('inputs', { kind: 'atlas4lep', samples: {
    ggH: { process: 'ggH', events: 3000, seed: 7 }, ZZ: { process: 'zz', events: 2000, seed: 7 }, Zee: { process: 'zee', events: 1000, seed: 8 },
  } });
  const ws = g.buildWorkspace('ws', g.node(histogramsKind, 'hists', [], {}), CONFIG);
  g.node(plotKind(['FitResult']), 'figures', g.fit('fit', ws), { labels: ['ATLAS Open Data'] });
`;

const digests = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => {
    const path = join(e.parentPath, e.name);
    return [path.slice(dir.length), createHash('sha256').update(readFileSync(path)).digest('hex')];
  }));

/** The node's events from its start to its end, checked to be in that order. */
function lifecycle(events: RunEvent[], node: string): Extract<RunEvent, { type: 'node-progress' }>[] {
  const mine = events.filter((e) => 'node' in e && e.node === node && e.type !== 'log' && e.type !== 'output' && e.type !== 'node-queued');
  assert.equal(mine[0]?.type, 'node-start', `${node}: announced running first (${mine.map((e) => e.type).join(', ')})`);
  assert.equal(mine.at(-1)?.type, 'node-done', `${node}: done last`);
  const progress = mine.slice(1, -1);
  assert.ok(progress.length > 1 && progress.every((e) => e.type === 'node-progress'), `${node}: only progress between start and done`);
  return progress as Extract<RunEvent, { type: 'node-progress' }>[];
}

test('generate and plot draw on the worker pool with per-item progress, byte-identical to the main thread', async () => {
  await withTempDir(async (pool) => {
    await withTempDir(async (main) => {
      const r = await runInProcess(writeGraph(pool, 'pooled', BODY), pool, { workers: 2 });
      assert.ok(r.summary?.ok, String(r.error));
      const files = lifecycle(r.events, 'inputs');
      assert.deepEqual(files.map((e) => [e.done, e.total, e.unit]), [0, 1, 2, 3].map((d) => [d, 3, 'files']));
      const figures = lifecycle(r.events, 'figures');
      assert.equal(figures.length, 5, 'pre-fit, post-fit, pulls, correlation: 0/4 then 4 items');
      assert.deepEqual(figures.map((e) => e.unit), Array(5).fill('figures'));
      for (const e of [...files, ...figures].filter((x) => x.done > 0)) assert.match(e.worker ?? '', /^thread-[1-9]\d*$/, 'drawn in a worker thread');

      const m = await runInProcess(writeGraph(main, 'pooled', BODY), main, { workers: 0 });
      assert.ok(m.summary?.ok, String(m.error));
      assert.ok(lifecycle(m.events, 'figures').every((e) => e.worker === undefined), '--workers 0: in this thread');
      const [a, b] = [digests(join(pool, 'cache', 'generated')), digests(join(main, 'cache', 'generated'))];
      assert.equal(Object.keys(a).length, 3);
      assert.deepEqual(a, b, 'same generated files');
      const [fa, fb] = [digests(join(pool, 'out')), digests(join(main, 'out'))];
      assert.ok(Object.keys(fa).some((f) => f.endsWith('pulls.png')));
      assert.deepEqual(fa, fb, 'same SVG, PNG and report bytes');

      // a re-run finds the files: the volatile node is never announced running, only cached
      const again = await runInProcess(join(pool, 'pooled.ts'), pool, { workers: 2 });
      assert.ok(again.summary?.ok, String(again.error));
      assert.deepEqual(again.events.filter((e) => 'node' in e && e.node === 'inputs' && e.type !== 'node-queued').map((e) => e.type), ['node-cached']);
    });
  });
});

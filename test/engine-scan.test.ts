// Global nodes' parallel scans (ctx.parallel on the worker pool, memoised per point): results in
// item order equal a direct computation, and a scan killed mid-way resumes from its finished points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flow, ROOT, runDone, tempDir } from './engine/harness.ts';

const dir = tempDir('scan');
const points = Array.from({ length: 12 }, (_, i) => 0.1 + i * 0.05);
const log = join(dir, 'points.log');
writeFileSync(join(dir, 'scan.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toyScan } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('scan', (g) => {
  g.node(toyScan, 'scan', [], { points: ${JSON.stringify(points)}, log: ${JSON.stringify(log)}, slowMs: 120 });
});
`);
const executed = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length : 0);
const args = ['run', 'scan.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--workers', '2'];

test('a scan killed mid-way resumes from its memoised points; values match a direct computation', async () => {
  let progress = 0;
  const killed = await flow(args, dir, {
    onEvent: (e, kill) => {
      if (e.type === 'node-progress' && e.node === 'scan' && ++progress === 5) kill();
    },
  });
  assert.equal(killed.signal, 'SIGKILL');
  const before = executed();
  assert.ok(before >= 5, `executed ${before} points before the kill`);
  const r = await flow(args, dir);
  assert.equal(r.code, 0, r.stderr);
  const rerun = executed() - before;
  assert.ok(rerun <= points.length - 5, `re-run executed ${rerun} points, expected at most ${points.length - 5}`);
  assert.equal(runDone(r).nodes.scan.status, 'computed');
  const values = JSON.parse(readFileSync(join(dir, 'out', 'scan.json'), 'utf8')).values;
  const expected = points.map((x) => {
    let s = 0;
    for (let k = 0; k < 1000; k++) s += Math.sin(k * x);
    return s;
  });
  assert.deepEqual(values, expected);
});

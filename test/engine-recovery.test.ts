// Recovery (issue 13 items 4, 6, 9; issue 12 item 2): a cached value that cannot be read is
// recomputed on every path (main thread and workers, global nodes, merged values, a blob shared
// by two nodes); outputs of an interrupted or tampered run are repaired from the manifest's
// digests; Ctrl-C / SIGTERM / --task-timeout stop user code that never yields, in the main thread
// and in workers. Every fault here is bounded: runs that should stop are killed after a deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { blobPath } from '../cache/blobfiles.ts';
import { CLI, ROOT, flow, makeToyProject, runDone, runToy, writeToyGraph } from './engine/harness.ts';

const dir = makeToyProject('recovery');

async function entries(cache: string, pred: (e: { label: Record<string, string | undefined>; size: number }) => boolean) {
  const { openStore } = await import('../cache/store.ts');
  const store = await openStore(join(dir, cache));
  try {
    return [...store.ls()].filter(pred);
  } finally {
    await store.close();
  }
}

function flipByte(cache: string, hash: string): void {
  const path = blobPath(join(dir, cache, 'blobs'), hash);
  const bytes = readFileSync(path);
  bytes[100] = bytes[100]! ^ 0xff;
  writeFileSync(path, bytes);
}

const read = (p: string) => readFileSync(join(dir, p), 'utf8');

test('reference run', async () => {
  const r = await runToy(dir, ['--out', 'ref']);
  assert.equal(r.code, 0, r.stderr);
});

test('a corrupt merged value of a reducer is rebuilt from its partials, also when two nodes share its blob (issue 13 item 4)', async () => {
  // two identical histograms of 3000 bins: their merged values are one blob file
  const graph = `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toySource, toyHist, toySummary, toyConst } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('shared', (g) => {
  const ev = g.node(toySource, 'read', g.fetch('inputs', { files: 'data/*.f64' }), {});
  const a = g.node(toyHist, 'ha', ev, { bins: 3000, lo: 0, hi: 1 });
  const b = g.node(toyHist, 'hb', ev, { bins: 3000, lo: 0, hi: 1 });
  g.node(toySummary, 'summary', [a, b], {});
  g.node(toyConst, 'ca', [], { tag: 'a' });
  g.node(toyConst, 'cb', [], { tag: 'b' });
});
`;
  writeFileSync(join(dir, 'shared.ts'), graph);
  const args = ['run', 'shared.ts', '--ui', 'json', '--cache-dir', 'cs', '--chunk-size', '5000', '--workers', '1'];
  const first = await flow([...args, '--out', 'os-ref'], dir);
  assert.equal(first.code, 0, first.stderr);
  // ha and hb have the same key (same kind and params): one merged entry; ca and cb two entries, one blob
  const merged = await entries('cs', (e) => e.label.kind === 'toy-hist' && e.label.chunk === 'merged');
  const consts = await entries('cs', (e) => e.label.kind === 'toy-const');
  assert.equal(merged.length, 1);
  assert.equal(consts.length, 2);
  assert.equal(consts[0]!.blobs[0], consts[1]!.blobs[0]);
  flipByte('cs', merged[0]!.blobs[0]!);
  flipByte('cs', consts[0]!.blobs[0]!);
  // summary recomputes (loads ha and hb); the constants' outputs are missing (ca and cb load)
  const r = await flow([...args, '--out', 'os', '--force', 'summary'], dir);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.slice(-3000)}`);
  const done = runDone(r);
  for (const n of ['ha', 'hb', 'summary', 'ca', 'cb']) assert.ok(done.nodes[n].status === 'cached' || done.nodes[n].status === 'computed', n);
  assert.ok(r.events.some((e) => e.type === 'warning' && /corrupt/.test(e.message)), 'a warning names the corruption');
  assert.equal(read('os/summary.json'), read('os-ref/summary.json'));
  assert.equal(read('os/ca.json'), read('os-ref/ca.json'));
  assert.equal(read('os/cb.json'), read('os-ref/cb.json'));
});

test('an interrupted run with other params leaves no stale output: the next run rewrites it (issue 13 item 6)', async () => {
  cpSync(join(dir, 'cache'), join(dir, 'c6'), { recursive: true });
  const base = ['--cache-dir', 'c6', '--out', 'o6'];
  assert.equal((await runToy(dir, base)).code, 0);
  // bins=20, killed (SIGKILL) right after summary.json landed
  const killed = await runToy(dir, [...base, '--set', 'bins=20'], { onEvent: (e, kill) => e.type === 'output' && e.node === 'summary' && kill() });
  assert.equal(killed.signal, 'SIGKILL');
  assert.notEqual(read('o6/summary.json'), read('ref/summary.json'), 'the 20-bin summary was written');
  const r = await runToy(dir, base);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(read('o6/summary.json'), read('ref/summary.json'));
  assert.equal(read('o6/total.json'), read('ref/total.json'));
});

test('an output file edited between runs is rewritten; untouched ones are not (issue 13 item 6)', async () => {
  writeFileSync(join(dir, 'o6', 'summary.json'), '{"tampered":true}\n');
  const r = await runToy(dir, ['--cache-dir', 'c6', '--out', 'o6']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.events.filter((e) => e.type === 'output').map((e) => e.path.split('/').at(-1)), ['summary.json']);
  assert.equal(read('o6/summary.json'), read('ref/summary.json'));
});

test('a corrupt entry that only a worker reads is a warning on the run\'s events, not a line on stderr (issue 13)', async () => {
  cpSync(join(dir, 'cache'), join(dir, 'cw'), { recursive: true });
  // with read's entry of one chunk gone, map's key for that chunk hangs on read's output, known only
  // in the worker that recomputes read: the worker is the one to look map's entry up
  const [victim] = await entries('cw', (e) => e.label.node === 'map' && e.label.chunk !== undefined);
  const [source] = await entries('cw', (e) => e.label.node === 'read' && e.label.chunk === victim!.label.chunk);
  const { open } = await import('lmdb');
  const env = open({ path: join(dir, 'cw', 'index.mdb'), compression: false, maxDbs: 8 });
  const db = env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' });
  await db.remove(source!.key);
  await db.put(victim!.key, new Uint8Array([1, 2, 3]));
  await env.close();
  const r = await runToy(dir, ['--cache-dir', 'cw', '--out', 'ow'], { env: { FLOW_IN_THREAD_EVENTS: '0' } });
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.events.filter((e) => e.type === 'warning' && e.message.includes(victim!.key.slice(0, 16)));
  assert.equal(warnings.length, 1, `${r.stderr}\n${JSON.stringify(r.events.filter((e) => e.type === 'warning'))}`);
  assert.match(warnings[0].message, /cache entry \w+ in .*index\.mdb is corrupt/);
  assert.doesNotMatch(r.stderr, /warning/);
  assert.equal(read('ow/summary.json'), read('ref/summary.json'));
});

/** `flow run` that is sent `sig` once the user function is stuck; killed after 60 s if it does not end. */
function interrupted(args: string[], sig: NodeJS.Signals, env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; last: any; stdout: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, CI: '1', FLOW_CACHE_DIR: '', ...env } });
    let out = '';
    let sent = false;
    const deadline = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    // the stuck function writes stuck.flag before it loops (stdout may not be flushed by then)
    const poll = setInterval(() => {
      if (sent || !existsSync(join(dir, 'stuck.flag'))) return;
      sent = true;
      clearInterval(poll);
      setTimeout(() => p.kill(sig), 200);
    }, 50);
    p.on('close', (code, signal) => {
      clearTimeout(deadline);
      clearInterval(poll);
      rmSync(join(dir, 'stuck.flag'), { force: true });
      const lines = out.trim().split('\n');
      let last: any;
      try {
        last = JSON.parse(lines.at(-1)!);
      } catch {
        last = undefined;
      }
      res({ code, signal, last, stdout: out });
    });
  });
}

const stuck = { preamble: "import { writeFileSync } from 'node:fs';", mapFn: "(x) => { writeFileSync('stuck.flag', ''); for (;;) {} return x; }" };
const toyArgs = (extra: string[]) => ['run', 'toy.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'o9', '--chunk-size', '5000', ...extra];

test('Ctrl-C ends a run stuck in user code with --workers 0: run-done and exit 130 (issue 13 item 9)', async () => {
  writeToyGraph(dir, stuck);
  const r = await interrupted(toyArgs(['--workers', '0']), 'SIGINT');
  assert.equal(r.code, 130, r.stdout.slice(-2000));
  assert.equal(r.last?.type, 'run-done');
  assert.equal(r.last?.ok, false);
});

test('Ctrl-C and SIGTERM end the in-thread re-fill from cached skims stuck in user code (issue 13 item 9)', async () => {
  writeToyGraph(dir, stuck);
  const a = await interrupted(toyArgs(['--workers', '1']), 'SIGINT');
  assert.equal(a.code, 130, a.stdout.slice(-2000));
  assert.equal(a.last?.type, 'run-done');
  const b = await interrupted(toyArgs(['--workers', '1']), 'SIGTERM');
  assertEndedBy(b, 'SIGTERM');
});

/** Ended by `sig` (exit 130 for SIGINT, 143 or the signal itself for SIGTERM) with a last line that
 *  is run-done, interrupted. */
function assertEndedBy(r: Awaited<ReturnType<typeof interrupted>>, sig: 'SIGINT' | 'SIGTERM'): void {
  if (sig === 'SIGINT') assert.equal(r.code, 130, r.stdout.slice(-2000));
  else assert.ok(r.signal === 'SIGTERM' || r.code === 143, `ended by SIGTERM (code ${r.code}, signal ${r.signal})`);
  assert.equal(r.last?.type, 'run-done', r.stdout.slice(-2000));
  assert.equal(r.last?.ok, false);
  assert.equal(r.last?.interrupted, true);
}

test('SIGTERM ends a run stuck in user code with --workers 0 with a run-done line (issue 13 item 9)', async () => {
  writeToyGraph(dir, stuck);
  const r = await interrupted(toyArgs(['--workers', '0']), 'SIGTERM');
  assertEndedBy(r, 'SIGTERM');
  assert.equal(r.last.nodes.map.status, 'failed', 'the node that was running is reported');
});

/** A graph of one global node whose user function is `f` (source). */
function writeCallGraph(f: string): void {
  writeFileSync(join(dir, 'call.ts'), `import { writeFileSync } from 'node:fs';
import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toyCall } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('call', (g) => {
  g.node(toyCall, 'call', [], { f: ${f} });
});
`);
}
const callArgs = ['run', 'call.ts', '--ui', 'json', '--no-cache', '--out', 'o-call'];

test('Ctrl-C and SIGTERM end a global node stuck in its user function, with a run-done line (issue 13 item 9)', async () => {
  writeCallGraph("() => { writeFileSync('stuck.flag', ''); for (;;) {} }");
  assertEndedBy(await interrupted(callArgs, 'SIGINT'), 'SIGINT');
  const b = await interrupted(callArgs, 'SIGTERM');
  assertEndedBy(b, 'SIGTERM');
  assert.equal(b.last.nodes.call.status, 'failed');
});

test('SIGTERM while the run waits (not in user code) ends it with run-done and exit 143 (issue 13 item 9)', async () => {
  writeCallGraph("async () => { writeFileSync('stuck.flag', ''); await new Promise((r) => setTimeout(r, 60_000)); }");
  const r = await interrupted(callArgs, 'SIGTERM');
  assert.equal(r.code, 143, r.stdout.slice(-2000));
  assertEndedBy(r, 'SIGTERM');
});

test('process.exit() in user code fails the node, in the main thread and in a worker; after an await it still ends with run-done and exit 1 (issue 13 item 9)', async () => {
  writeToyGraph(dir, { mapFn: '(x) => process.exit(0)' });
  for (const [workers, env] of [['0', {}], ['1', { FLOW_IN_THREAD_EVENTS: '0' }]] as Array<[string, Record<string, string>]>) {
    const r = await flow([...toyArgs(['--workers', workers]), '--no-cache'], dir, { env });
    assert.equal(r.code, 1, `--workers ${workers}: ${r.stderr}`);
    const done = runDone(r);
    assert.equal(done.nodes.map.status, 'failed');
    assert.match(done.nodes.map.error, /node 'map' \(toy-map\): process\.exit\(0\) called in node code/);
  }
  writeToyGraph(dir);
  writeCallGraph('async () => { await null; process.exit(0); }');
  const r = await flow(callArgs, dir);
  assert.equal(r.code, 1, r.stderr);
  const done = runDone(r);
  assert.equal(done.interrupted, true);
  assert.equal(done.nodes.call.status, 'failed');
});

test('--task-timeout fails a chunk stuck in user code, in a worker and in the main thread, naming the node (issue 13 item 9)', async () => {
  writeToyGraph(dir, stuck);
  for (const env of [{ FLOW_IN_THREAD_EVENTS: '0' }, {}] as Array<Record<string, string>>) {
    const r = await flow(toyArgs(['--workers', '1', '--task-timeout', '0.5']), dir, { env });
    assert.equal(r.code, 1, r.stderr);
    const done = runDone(r);
    assert.equal(done.nodes.map.status, 'failed');
    assert.match(done.nodes.map.error, /node 'map' \(toy-map\): no result after 0\.5 s \(--task-timeout\)/);
    assert.equal(done.nodes.hist.status, 'skipped');
    assert.equal(done.nodes.read.reason, "stopped: node 'map' failed on the same chunks");
  }
  writeToyGraph(dir);
  rmSync(join(dir, 'o9'), { recursive: true, force: true });
  rmSync(join(dir, 'stuck.flag'), { force: true });
});

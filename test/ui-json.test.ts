import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Subject, from, throwError, concat } from 'rxjs';
import type { RunEvent } from '../src/engine/events.ts';
import { fakeRunSchedule } from '../src/ui/fake-run.ts';
import { attachUi } from '../src/ui/index.ts';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

function parseLines(text: string): Array<Record<string, unknown>> {
  assert.ok(text.endsWith('\n'), 'output ends with a newline');
  return text.slice(0, -1).split('\n').map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 200)}`, { cause: err });
    }
  });
}

test('every event is one JSON line with its type, in order, the last one run-done', async () => {
  const schedule = fakeRunSchedule({ chunks: 40, cachedChunks: 12 });
  const subject = new Subject<RunEvent>();
  const { out, text } = capture();
  const { done } = attachUi(subject, 'json', { stdout: out });
  for (const e of schedule) subject.next(e);
  subject.complete();
  await done;
  const lines = parseLines(text());
  assert.equal(lines.length, schedule.length);
  lines.forEach((l, i) => assert.equal(l['type'], schedule[i]!.type, `line ${i + 1}`));
  assert.deepEqual(lines[3], JSON.parse(JSON.stringify(schedule[3])));
  const last = lines.at(-1)!;
  assert.equal(last['type'], 'run-done');
  assert.equal(last['ok'], true);
  assert.equal(typeof last['seconds'], 'number');
  const nodes = last['nodes'] as Record<string, Record<string, unknown>>;
  // Independent count from the schedule itself.
  const skimChunks = schedule.filter((e) => e.type === 'chunk-done' && e.node === 'ttbar-skim');
  const skimEvents = skimChunks.reduce((s, e) => s + (e.type === 'chunk-done' ? e.events : 0), 0);
  assert.deepEqual(
    { status: nodes['ttbar-skim']!['status'], chunks: nodes['ttbar-skim']!['chunks'], events: nodes['ttbar-skim']!['events'], cached: nodes['ttbar-skim']!['cached_chunks'] },
    { status: 'computed', chunks: skimChunks.length, events: skimEvents, cached: 12 },
  );
  for (const [name, n] of Object.entries(nodes)) {
    assert.ok(['cached', 'computed', 'failed', 'skipped'].includes(n['status'] as string), name);
    assert.equal(typeof n['reason'], 'string', name);
    assert.equal(typeof n['seconds'], 'number', name);
  }
});

test('events after run-done are not printed; missing chunk figures are filled from the stream', async () => {
  const { out, text } = capture();
  const events: RunEvent[] = [
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim'], workers: 1, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 2, t: 1 },
    { type: 'chunk-done', node: 'skim', chunk: 'a', events: 5, bytes: 1, cached: false, seconds: 0, t: 2 },
    { type: 'chunk-done', node: 'skim', chunk: 'b', events: 7, bytes: 1, cached: true, seconds: 0, t: 3 },
    { type: 'node-done', node: 'skim', kind: 'skim', seconds: 0.003, t: 4 },
    { type: 'run-done', ok: true, seconds: 0.004, nodes: { skim: { status: 'computed', reason: 'new', seconds: 0.003 } }, t: 4 },
    { type: 'log', message: 'late', t: 5 },
  ];
  await attachUi(from(events), 'json', { stdout: out }).done;
  const lines = parseLines(text());
  assert.equal(lines.length, 6);
  assert.deepEqual(lines.at(-1)!['nodes'], { skim: { status: 'computed', reason: 'new', seconds: 0.003, chunks: 2, events: 12, cached_chunks: 1 } });
});

test('a stream that fails without run-done still ends with a run-done line (ok: false)', async () => {
  const { out, text } = capture();
  const events: RunEvent[] = [
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['a', 'b'], workers: 1, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'a', kind: 'fit', reason: 'new', t: 1 },
  ];
  await attachUi(concat(from(events), throwError(() => new Error('worker exited with code 1'))), 'json', { stdout: out }).done;
  const lines = parseLines(text());
  assert.equal(lines.length, 3);
  const last = lines[2]!;
  assert.equal(last['type'], 'run-done');
  assert.equal(last['ok'], false);
  assert.equal(last['error'], 'worker exited with code 1');
  const nodes = last['nodes'] as Record<string, Record<string, unknown>>;
  assert.equal(nodes['a']!['status'], 'failed');
  assert.equal(nodes['b']!['status'], 'skipped');
});

test('10k chunk events come out whole, one per line', async () => {
  const { out, text } = capture();
  const subject = new Subject<RunEvent>();
  const { done } = attachUi(subject, 'json', { stdout: out });
  subject.next({ type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim'], workers: 2, cacheDir: null, t: 0 });
  for (let i = 0; i < 10_000; i++) subject.next({ type: 'chunk-done', node: 'skim', chunk: `f${i}.root:0`, events: i, bytes: 0, cached: false, seconds: 0, t: i });
  subject.next({ type: 'run-done', ok: true, seconds: 10, nodes: { skim: { status: 'computed', reason: 'new', seconds: 10 } }, t: 10_000 });
  await done;
  const lines = parseLines(text());
  assert.equal(lines.length, 10_002);
  assert.equal(lines[5_001]!['chunk'], 'f5000.root:0');
  assert.equal((lines.at(-1)!['nodes'] as Record<string, Record<string, unknown>>)['skim']!['events'], (9_999 * 10_000) / 2);
});

test('a reader that goes away stops the output, not the run', async () => {
  const out = new PassThrough();
  out.on('data', () => out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
  const { done } = attachUi(from(fakeRunSchedule({ chunks: 10 })), 'json', { stdout: out });
  await done;
});

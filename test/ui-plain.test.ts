import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Subject, from } from 'rxjs';
import type { RunEvent } from '../src/engine/events.ts';
import { fakeRunSchedule } from '../src/ui/fake-run.ts';
import { attachUi } from '../src/ui/index.ts';
import { attachPlain } from '../src/ui/plain.ts';

const ANSI = /\x1b\[[0-9;]*m/;

async function plain(events: RunEvent[], color = false): Promise<string[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await attachUi(from(events), 'plain', { stdout: out, color }).done;
  const text = Buffer.concat(chunks).toString('utf8');
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n');
}

test('one line per state change, progress throttled, summary table at the end', async () => {
  const schedule = fakeRunSchedule({ chunks: 200, cachedChunks: 20, fail: true });
  const lines = await plain(schedule);
  assert.ok(!lines.some((l) => ANSI.test(l)), 'no ANSI codes without colour');
  const chunkEvents = schedule.filter((e) => e.type === 'chunk-done').length;
  assert.equal(chunkEvents, 400);
  const progress = lines.filter((l) => / running /.test(l));
  assert.ok(progress.length >= 2, 'some progress lines');
  // Per node: at most one line per 10% step (plus the 2 s heartbeat over this ~25 s run).
  assert.ok(progress.length <= 2 * (10 + 13), `${progress.length} progress lines for ${chunkEvents} chunk events`);
  for (const l of progress) assert.match(l, /^\[ +\d+\.\ds\] \S+ +running +\d+\/200 chunks/);

  const body = lines.slice(0, lines.indexOf(''));
  const count = (re: RegExp): number => body.filter((l) => re.test(l)).length;
  assert.equal(count(/ fileset +cached/), 1);
  assert.equal(count(/ ttbar-skim +start +200 chunks \(20 cached\)/), 1);
  assert.equal(count(/ ttbar-skim +done +200\/200 chunks \(20 cached\)/), 1);
  assert.equal(count(/ merged +done/), 1);
  assert.equal(count(/ fit +FAILED +fit did not converge/), 1);
  assert.equal(count(/ limit +skipped +input fit failed/), 1);
  assert.equal(count(/ ttbar-skim +warning +data\/ttbar_bad\.root/), 1);
  assert.equal(count(/ workspace +wrote +out\/agc-ttbar\/workspace\.json/), 1);
  assert.equal(count(/queued/), 0);
  // Timestamps are relative to run start and never go backwards.
  const stamps = body.map((l) => Number(/^\[ *([\d.]+)s\]/.exec(l)?.[1]));
  assert.ok(stamps.every((s, i) => Number.isFinite(s) && (i === 0 || s >= stamps[i - 1]!)));
  assert.equal(stamps[0], 0);

  const summary = lines.slice(lines.indexOf('') + 1);
  assert.match(summary[0]!, /^run agc-ttbar FAILED in [\d.]+ s: 4 computed, 1 cached, 1 failed, 2 skipped/);
  assert.match(summary[1]!, /^node +status +reason +chunks +events +time +cpu$/);
  const row = (name: string): string[] => summary.find((l) => l.startsWith(name + ' '))!.trim().split(/ {2,}/);
  const skimEvents = schedule.reduce((s, e) => s + (e.type === 'chunk-done' && e.node === 'ttbar-skim' ? e.events : 0), 0);
  assert.deepEqual(row('ttbar-skim').slice(0, 4), ['ttbar-skim', 'computed', 'input changed', '200 (20 cached)']);
  assert.equal(row('ttbar-skim')[4], `${(skimEvents / 1e6).toFixed(1)}M`);
  assert.deepEqual(row('fit').slice(0, 3), ['fit', 'failed', 'fit did not converge: twice_nll is NaN at ttbar_norm = 2.31…']);
  assert.deepEqual(row('fileset'), ['fileset', 'cached', '-', '-', '-', '-', '-']);
  assert.deepEqual(row('plots').slice(0, 3), ['plots', 'skipped', 'input fit failed']);
  assert.ok(summary.includes('skipped files (1):'));
  assert.ok(summary.includes('  data/ttbar_bad.root: not a ROOT file (bad magic bytes)'));
});

test('a burst of chunk events prints a bounded number of lines', async () => {
  const events: RunEvent[] = [
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim'], workers: 2, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 10_000, t: 0 },
  ];
  // 10k chunks in one second: no 2 s heartbeat, deciles at least 0.5 s apart.
  for (let i = 0; i < 10_000; i++) events.push({ type: 'chunk-done', node: 'skim', chunk: String(i), events: 1, bytes: 0, cached: false, seconds: 0, t: i / 10 });
  events.push({ type: 'node-done', node: 'skim', kind: 'skim', seconds: 1, t: 1000 });
  events.push({ type: 'run-done', ok: true, seconds: 1, nodes: { skim: { status: 'computed', reason: 'new', seconds: 1 } }, t: 1000 });
  const lines = await plain(events);
  const body = lines.slice(0, lines.indexOf(''));
  assert.ok(body.length <= 5, body.join('\n'));
  assert.match(body.at(-1)!, /skim +done +10000\/10000 chunks +10\.0k ev +10\.0 kHz +in 1\.0 s$/);
});

test('multi-line errors are printed in full under the failure line', async () => {
  const lines = await plain([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['fit'], workers: 1, cacheDir: '.c', t: 0 },
    { type: 'node-start', node: 'fit', kind: 'fit', reason: 'code', t: 10 },
    { type: 'node-failed', node: 'fit', kind: 'fit', error: 'Error: singular Hessian\n    at hesse (src/stats/hesse.ts:10:3)', t: 200 },
    { type: 'run-done', ok: false, seconds: 0.2, nodes: { fit: { status: 'failed', reason: 'code', seconds: 0.19, error: 'Error: singular Hessian' } }, t: 200 },
  ]);
  const i = lines.findIndex((l) => / fit +FAILED +Error: singular Hessian$/.test(l));
  assert.ok(i > 0, lines.join('\n'));
  assert.match(lines[i + 1]!, /^ {20,}at hesse \(src\/stats\/hesse\.ts:10:3\)$/);
  assert.ok(lines.some((l) => /^run g FAILED/.test(l)));
});

test('colour only when asked for', async () => {
  const lines = await plain(fakeRunSchedule({ chunks: 8, cachedChunks: 2 }), true);
  assert.ok(lines.some((l) => ANSI.test(l)));
  assert.ok(lines.some((l) => l.includes('\x1b[32m') && l.includes('done')), 'done is green');
});

test('a stream that ends without run-done still gets a summary saying so', async () => {
  const lines = await plain([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['a'], workers: 1, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'a', kind: 'skim', reason: 'new', chunks: 3, t: 0 },
  ]);
  assert.ok(lines.includes('run ended without a report'));
  assert.ok(lines.some((l) => /^a +failed +interrupted/.test(l)), lines.join('\n'));
});

test('a run stopped with Ctrl-C says so and that it resumes', async () => {
  const lines = await plain([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim', 'fit'], workers: 2, cacheDir: '.c', t: 0 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 10, t: 0 },
    { type: 'chunk-done', node: 'skim', chunk: 'a', events: 10, bytes: 0, cached: false, seconds: 0.1, t: 100 },
    { type: 'run-done', ok: false, seconds: 0.2, nodes: {}, t: 200 },
  ]);
  assert.ok(lines.some((l) => /^run g INTERRUPTED in 0\.20 s: 0 computed, 0 cached, 0 failed, 1 skipped, 1 interrupted/.test(l)), lines.join('\n'));
  assert.ok(lines.includes('finished chunks are cached: run again to resume'));
  assert.ok(lines.some((l) => /^skim +interrupted +run stopped while it ran +1 +10 +0\.20 s +-$/.test(l)), lines.join('\n'));
});

test('a quiet stretch while a node runs gets a "still running" line', async () => {
  const subject = new Subject<RunEvent>();
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const { done } = attachPlain(subject, out, { heartbeatSeconds: 0.05 });
  subject.next({ type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['fit'], workers: 1, cacheDir: null, t: 0 });
  subject.next({ type: 'node-start', node: 'fit', kind: 'fit', reason: 'new', t: 0 });
  const deadline = Date.now() + 5000;
  while (!text.includes('still running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  subject.next({ type: 'node-done', node: 'fit', kind: 'fit', seconds: 1, t: 1000 });
  subject.complete();
  await done;
  assert.match(text, /^\[ +\d+\.\ds\] still running: fit \d/m);
});

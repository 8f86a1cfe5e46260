import './helpers/interactive-env.ts';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import React from 'react';
import { Subject } from 'rxjs';
import type { RunEvent } from '../src/engine/events.ts';
import { Dashboard, LiveDashboard } from '../src/ui/dashboard.ts';
import { fakeRunSchedule } from '../src/ui/fake-run.ts';
import { holdUntilSubscribed } from '../src/ui/hold.ts';
import { attachUi, defaultUiMode } from '../src/ui/index.ts';
import { reduceAll } from './helpers/ui-state.ts';

const h = React.createElement;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

async function waitFor(get: () => string | undefined, pred: (f: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const f = get() ?? '';
    if (pred(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('live dashboard: node rows, chunk progress, cache hits, then the final summary', async () => {
  const subject = new Subject<RunEvent>();
  const app = render(h(LiveDashboard, { events$: holdUntilSubscribed(subject), fps: 50 }));
  const t = (ms: number): number => 5000 + ms;
  subject.next({ type: 'run-start', graph: 'atlas-hzz', file: 'graphs/hzz.ts', nodes: ['inputs', 'four-leptons', 'm4l', 'fit'], workers: 2, cacheDir: '.flow-cache', t: t(0) });
  subject.next({ type: 'node-queued', node: 'fit', kind: 'fit', t: t(1) });
  subject.next({ type: 'node-cached', node: 'inputs', kind: 'fetch', t: t(2) });
  subject.next({ type: 'node-start', node: 'four-leptons', kind: 'skim', reason: 'params', chunks: 40, cachedChunks: 9, t: t(3) });
  for (let c = 0; c < 3; c++) subject.next({ type: 'chunk-done', node: 'four-leptons', chunk: `c${c}`, events: 250_000, bytes: 1, cached: false, seconds: 0.5, t: t(1003 + 1000 * c) });
  const running = await waitFor(app.lastFrame, (f) => f.includes('12/40'), 'chunk progress');
  assert.match(running, /hepflow atlas-hzz/);
  assert.match(running, /graphs\/hzz\.ts/);
  assert.match(running, /2 workers/);
  assert.match(running, /\.flow-cache/);
  const skimRow = running.split('\n').find((l) => l.includes('four-leptons'))!;
  // 12 of 40 chunks (9 cached + 3 computed), 750k events computed over 3 s = 250 kHz, 9 of 40 from the cache.
  assert.match(skimRow, /12\/40 +750k +250 kHz +9\/40 /);
  assert.match(skimRow, /█/);
  assert.match(running, /inputs .*cached/);
  assert.match(running, /fit .*queued/);
  assert.match(running, /m4l .*waiting/);

  subject.next({ type: 'warning', node: 'four-leptons', message: 'file data_B.root has no tree mini: skipped', t: t(3100) });
  subject.next({ type: 'node-done', node: 'four-leptons', kind: 'skim', seconds: 4.1, chunks: 40, events: 10_000_000, cachedChunks: 9, t: t(4100) });
  subject.next({ type: 'node-start', node: 'm4l', kind: 'fill', reason: 'code', t: t(4100) });
  subject.next({ type: 'node-done', node: 'm4l', kind: 'fill', seconds: 0.2, t: t(4300) });
  subject.next({ type: 'node-start', node: 'fit', kind: 'fit', reason: 'input', t: t(4300) });
  subject.next({ type: 'node-failed', node: 'fit', kind: 'fit', error: 'Hessian is not positive definite', t: t(4500) });
  subject.next({
    type: 'run-done', ok: false, seconds: 4.5, t: t(4500),
    nodes: {
      inputs: { status: 'cached', reason: 'cached', seconds: 0 },
      'four-leptons': { status: 'computed', reason: 'params', seconds: 4.1, chunks: 40, events: 10_000_000, cached_chunks: 9 },
      m4l: { status: 'computed', reason: 'code', seconds: 0.2 },
      fit: { status: 'failed', reason: 'input', seconds: 0.2, error: 'Hessian is not positive definite' },
    },
    skippedFiles: [{ path: 'data_B.root', reason: 'no tree mini' }],
  });
  const final = await waitFor(app.lastFrame, (f) => f.includes('run failed'), 'final summary');
  assert.match(final, /✖ run failed in 4\.5 s +· +2 computed +· +1 cached +· +1 failed/);
  assert.match(final, /10\.0M events read/);
  assert.match(final, /40\/40/);
  assert.match(final, /Hessian is not positive definite/);
  assert.match(final, /1 file skipped:\n +data_B\.root: no tree mini/);
  assert.match(final, /⚠ four-leptons: file data_B\.root has no tree mini/);
  assert.match(final, /four-leptons .*done · params changed/);
  app.unmount();
});

test('frames fit the terminal: 80 columns, rows collapse when the terminal is short', () => {
  const many: RunEvent[] = [
    { type: 'run-start', graph: 'a-rather-long-analysis-name', file: 'graphs/some/deep/path/analysis.ts', nodes: [], workers: 16, cacheDir: '/scratch/users/someone/.flow-cache', t: 0 },
  ];
  for (let i = 0; i < 30; i++) {
    const node = `s${i}-skim-sample-with-a-rather-long-name`;
    many.push({ type: 'node-queued', node, kind: i % 2 ? 'build-workspace' : 'skim', t: 1 });
    if (i < 20) {
      many.push({ type: 'node-start', node, kind: 'skim', reason: 'new', chunks: 12345, t: 2 });
      many.push({ type: 'chunk-done', node, chunk: 'x', events: 123_456_789, bytes: 0, cached: false, seconds: 1, t: 1000 });
    }
    if (i < 15) many.push({ type: 'node-done', node, kind: 'skim', seconds: 1, t: 1000 });
  }
  many.push({ type: 'warning', message: 'x'.repeat(300), t: 5 });
  many.push({ type: 'log', node: 's2-skim-sample-with-a-rather-long-name', message: 'Error: one\n  at two\n  at three', t: 5 });
  many.push({ type: 'node-failed', node: 's3-skim-sample-with-a-rather-long-name', kind: 'skim', error: 'y'.repeat(300), t: 6 });
  const state = reduceAll(many);
  for (const columns of [80, 120]) {
    const app = render(h(Dashboard, { state, now: 2000, columns, rows: 24 }));
    const lines = app.lastFrame()!.replace(ANSI, '').split('\n');
    for (const l of lines) assert.ok(l.length < columns, `line longer than ${columns - 1}: ${l}`);
    assert.ok(lines.length < 24, `${lines.length} lines in a 24-row terminal`);
    // 14 nodes finished fine, 1 failed, 5 running, 10 queued: the finished ones make room first,
    // then the last queued one.
    assert.ok(lines.some((l) => /… 15 more nodes not shown \(1 waiting, 14 finished\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.endsWith('s2-skim-sample-with-a-rather-long-name: Error: one')));
    assert.ok(!lines.some((l) => l.includes('at two')));
    // Running and failed nodes are never the ones hidden.
    assert.ok(lines.some((l) => l.includes('s19-skim-sample')));
    assert.ok(lines.some((l) => l.includes('s3-skim-sample') && l.includes('failed')));
    app.unmount();
  }
});

test('a frame never reaches the terminal height, even with more running nodes than rows', () => {
  const events: RunEvent[] = [{ type: 'run-start', graph: 'g', file: 'g.ts', nodes: [], workers: 2, cacheDir: null, t: 0 }];
  for (let i = 0; i < 40; i++) {
    events.push({ type: 'node-start', node: `fill-${i}`, kind: 'fill', reason: 'new', chunks: 10, t: 1 });
    if (i % 10 === 0) events.push({ type: 'node-failed', node: `fill-${i}`, kind: 'fill', error: 'boom', t: 2 });
  }
  const state = reduceAll(events);
  const app = render(h(Dashboard, { state, now: 100, columns: 80, rows: 20 }));
  const lines = app.lastFrame()!.split('\n');
  assert.ok(lines.length < 20, `${lines.length} lines in a 20-row terminal`);
  assert.equal(lines.filter((l) => /↳ boom/.test(l)).length, 4, 'failed nodes are shown first');
  const more = lines.find((l) => /more nodes not shown/.test(l));
  assert.ok(more);
  const shownRunning = lines.filter((l) => /fill-\d+ /.test(l) && !/failed/.test(l)).length;
  assert.match(more, new RegExp(`… ${36 - shownRunning} more nodes not shown \\(${36 - shownRunning} running\\)`));
  app.unmount();
});

class FakeTerminal extends EventEmitter {
  columns = 90;
  rows = 40;
  isTTY = true;
  written = '';
  write(chunk: string, cb?: () => void): boolean {
    this.written += chunk;
    cb?.();
    return true;
  }
}

test('attachUi ink: renders to a terminal stream and resolves after the final frame', async () => {
  const stdout = new FakeTerminal();
  // Shorter than the final frame: Ink must not clear the screen (and the user's scrollback).
  stdout.rows = 12;
  const stderr = new FakeTerminal();
  const subject = new Subject<RunEvent>();
  const { done } = attachUi(subject, 'ink', { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
  // Published before Ink has even loaded: must not be lost.
  for (const e of fakeRunSchedule({ chunks: 20, cachedChunks: 5 })) subject.next(e);
  await done;
  assert.ok(!stdout.written.includes('\x1b[2J') && !stdout.written.includes('\x1b[3J'), 'terminal cleared');
  const text = stdout.written.replace(ANSI, '');
  assert.match(text, /✔ run finished/);
  for (const node of ['fileset', 'ttbar-skim', 'histograms', 'merged', 'workspace', 'fit', 'limit', 'plots']) assert.match(text, new RegExp(`[●✔] ${node} `));
  assert.match(text, /ttbar-skim/);
  assert.match(text, /20\/20/);
  assert.match(text, /cache hits 5\/40 chunk results/);
});

test('attachUi ink with inkAfterMs: a run over sooner prints the plain lines (Ink never loads); a longer one gets the dashboard', async () => {
  const quick = { out: new FakeTerminal(), err: new FakeTerminal(), subject: new Subject<RunEvent>() };
  const q = attachUi(quick.subject, 'ink', { stdout: quick.out as unknown as NodeJS.WriteStream, stderr: quick.err as unknown as NodeJS.WriteStream, inkAfterMs: 10_000 });
  for (const e of fakeRunSchedule({ chunks: 4, cachedChunks: 4 })) quick.subject.next(e);
  quick.subject.complete();
  await q.done;
  const plain = quick.out.written.replace(ANSI, '');
  assert.match(plain, /^run \S+ ok in [\d.]+ s: /m, 'the plain summary line');
  assert.doesNotMatch(plain, /run finished/, 'not the dashboard\'s final frame');

  const slow = { out: new FakeTerminal(), err: new FakeTerminal(), subject: new Subject<RunEvent>() };
  const s = attachUi(slow.subject, 'ink', { stdout: slow.out as unknown as NodeJS.WriteStream, stderr: slow.err as unknown as NodeJS.WriteStream, inkAfterMs: 20 });
  const events = fakeRunSchedule({ chunks: 4, cachedChunks: 1 });
  for (const e of events.slice(0, 3)) slow.subject.next(e);
  await new Promise((r) => setTimeout(r, 100)); // the run is still going after inkAfterMs
  for (const e of events.slice(3)) slow.subject.next(e);
  slow.subject.complete();
  await s.done;
  assert.match(slow.out.written.replace(ANSI, ''), /✔ run finished/, 'the dashboard, with every event from the first');
});

test('default mode: dashboard on a terminal, plain lines when piped or in CI', () => {
  assert.equal(defaultUiMode({ isTTY: true }, {}), 'ink');
  assert.equal(defaultUiMode({ isTTY: false }, {}), 'plain');
  assert.equal(defaultUiMode({}, {}), 'plain');
  assert.equal(defaultUiMode({ isTTY: true }, { CI: 'true' }), 'plain');
  assert.equal(defaultUiMode({ isTTY: true }, { CI: 'false' }), 'ink');
  assert.equal(defaultUiMode({ isTTY: true }, { TERM: 'dumb' }), 'plain');
});

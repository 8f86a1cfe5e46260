// Worker events on the run's displays: the state reducer, the workers line, plain output lines and
// the run-done `workers` summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../src/engine/events.ts';
import { initialState, reduce } from '../src/ui/state.ts';
import { createPlainFormatter } from '../src/ui/plain.ts';
import { workersLine, workersSummary } from '../src/ui/workers-line.ts';

const t0 = 1_000_000;
const start: RunEvent = { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['a'], workers: 64, cacheDir: null, t: t0 };
const w = (id: string, host: string, state: 'start' | 'heartbeat' | 'stop' | 'refused' | 'failed', more: Partial<Extract<RunEvent, { type: 'worker' }>> = {}, dt = 0): RunEvent =>
  ({ type: 'worker', id, host, pid: 1, state, slots: 2, busy: 0, chunks: 0, events: 0, t: t0 + dt, ...more });

test('workers line: processes, hosts, busy/idle, per-worker chunks and events, rate', () => {
  let s = reduce(initialState(), start);
  assert.equal(workersLine(s, t0), undefined, 'no line without scale-out');
  s = reduce(s, w('a1', 'hostA', 'start'));
  s = reduce(s, w('b1', 'hostB', 'start'));
  s = reduce(s, w('a1', 'hostA', 'heartbeat', { busy: 2, chunks: 3, events: 3000 }, 2000));
  s = reduce(s, w('b1', 'hostB', 'failed', { message: 'node x failed' }, 2000));
  s = reduce(s, w('c1', 'hostB', 'refused', { message: 'runs hepflow 0.0.1' }, 2000));
  const line = workersLine(s, t0 + 2000)!;
  assert.equal(line, 'workers: 2 processes on 2 hosts  ·  2 busy, 2 idle  ·  1 refused  ·  1.5 kHz  ·  a1 3 chunks 3.0k ev, b1 0 chunks 0 ev, c1 0 chunks 0 ev');
  assert.equal(s.remoteWorkers.b1!.state, 'start', 'a failed job leaves the worker serving');
  s = reduce(s, w('b1', 'hostB', 'stop', {}, 3000));
  assert.match(workersLine(s, t0 + 3000)!, /^workers: 1 process on 1 host/);
});

test('plain output: a line per worker start/stop/refusal/failure (not per heartbeat) and the run-done summary', () => {
  const f = createPlainFormatter();
  let s = reduce(initialState(), start);
  const lines = (e: RunEvent): string[] => {
    const prev = s;
    s = reduce(s, e);
    return f.lines(e, s, prev) ?? [];
  };
  lines(start);
  assert.match(lines(w('a1', 'hostA', 'start')).join('\n'), /worker a1 \(hostA\) started serving/);
  assert.deepEqual(lines(w('a1', 'hostA', 'heartbeat', { busy: 1 })), []);
  assert.match(lines(w('z9', 'hostZ', 'refused', { message: 'worker z9 on hostZ runs hepflow 0.0.1, the run needs 0.1.0: refused' })).join('\n'), /worker z9 \(hostZ\) refused the run: worker z9 on hostZ runs hepflow 0\.0\.1/);
  const done: RunEvent = { type: 'run-done', ok: true, seconds: 3, nodes: {}, workers: { a1: { host: 'hostA', chunks: 4, events: 4000, seconds: 2.5 } }, t: t0 + 3000 };
  assert.equal(workersSummary(done as Extract<RunEvent, { type: 'run-done' }>), 'workers: a1 (hostA) 4 chunks 4.0k events 2.5s');
  assert.match(lines(done).join('\n'), /workers: a1 \(hostA\) 4 chunks/);
});

// The run-done report as `--ui json` prints it: made up from the stream when the engine never sent
// one, or completed with per-node chunk figures the engine left out.
import type { NodeStatus, RunEvent } from '../engine/events.ts';
import { cachedChunks, chunksDone, elapsedOf, eventsOf, isEventLevel } from './figures.ts';
import type { RunState } from './state.ts';

type RunDone = Extract<RunEvent, { type: 'run-done' }>;

/** The run report for a stream that ended without one (engine crash, Ctrl-C): every node with
 *  what is known, ok = false; `interrupted` unless it ended with an error. */
export function synthesizeRunDone(state: RunState, error?: string): RunDone {
  const nodes: RunDone['nodes'] = {};
  for (const name of state.order) {
    const n = state.nodes[name]!;
    const status: NodeStatus = n.phase === 'cached' || n.phase === 'computed' || n.phase === 'skipped' ? n.phase : n.phase === 'failed' || n.phase === 'running' ? 'failed' : 'skipped';
    const entry: RunDone['nodes'][string] = {
      status,
      reason: status === 'skipped' ? (n.because ?? 'not reached') : status === 'failed' ? (n.error ?? 'interrupted') : n.reason,
      seconds: elapsedOf(n, state.now) ?? 0,
    };
    if (status === 'failed') entry.error = n.error ?? error ?? 'interrupted';
    if (isEventLevel(n)) {
      entry.chunks = chunksDone(n);
      entry.events = eventsOf(n);
      entry.cached_chunks = cachedChunks(n);
    }
    nodes[name] = entry;
  }
  const seconds = state.startT === undefined ? 0 : (state.now - state.startT) / 1000;
  const done: RunDone = { type: 'run-done', ok: false, seconds, nodes, t: state.now };
  // a stream that completes without a report was cancelled (Ctrl-C, SIGTERM); one that errs crashed
  return error === undefined ? { ...done, interrupted: true } : { ...done, error } as RunDone;
}

/** The engine's run-done with the per-node chunk figures filled in from the stream wherever the
 *  engine left them out (DESIGN section 6 requires them for event-level nodes). */
export function completeRunDone(event: RunDone, stateBefore: RunState): RunDone {
  let changed = false;
  const nodes: RunDone['nodes'] = {};
  for (const [name, r] of Object.entries(event.nodes)) {
    const n = stateBefore.nodes[name];
    if (n && isEventLevel(n) && (r.chunks === undefined || r.events === undefined || r.cached_chunks === undefined)) {
      changed = true;
      nodes[name] = { ...r, chunks: r.chunks ?? chunksDone(n), events: r.events ?? eventsOf(n), cached_chunks: r.cached_chunks ?? cachedChunks(n) };
    } else {
      nodes[name] = r;
    }
  }
  return changed ? { ...event, nodes } : event;
}

// Folding a whole event sequence into the dashboard state (src/ui/state.ts), for tests and replays.
import type { RunEvent } from '../../src/engine/events.ts';
import { initialState, reduce, type RunState } from '../../src/ui/state.ts';

export function reduceAll(events: Iterable<RunEvent>, state: RunState = initialState()): RunState {
  let s = state;
  for (const e of events) s = reduce(s, e);
  return s;
}

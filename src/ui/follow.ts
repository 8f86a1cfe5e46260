// Subscribing a UI to the run's event stream: fold events into RunState, and end exactly once,
// with a run-done report even when the stream completes or errors without one (engine crash,
// Ctrl-C), so every UI can always print its summary.
import type { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';
import { synthesizeRunDone } from './run-report.ts';
import { initialState, reduce, type RunState } from './state.ts';

export type RunDone = Extract<RunEvent, { type: 'run-done' }>;

export interface RunEnd {
  readonly state: RunState;
  readonly runDone: RunDone;
  /** True when runDone was made up here because the stream ended without one. */
  readonly synthesized: boolean;
  readonly error?: string;
}

export interface RunFollower {
  /** Called for every event up to and including run-done; events after it are ignored. */
  event?(event: RunEvent, next: RunState, prev: RunState): void;
  end(end: RunEnd): void | Promise<void>;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves after `end` (and its promise) has finished. */
export function followRun(events$: Observable<RunEvent>, follower: RunFollower): { done: Promise<void>; unsubscribe(): void } {
  let state = initialState();
  let ended = false;
  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const finish = (runDone: RunDone, synthesized: boolean, error?: string): void => {
    if (ended) return;
    ended = true;
    subscription?.unsubscribe();
    const end: RunEnd = error === undefined ? { state, runDone, synthesized } : { state, runDone, synthesized, error };
    Promise.resolve()
      .then(() => follower.end(end))
      .then(resolveDone, rejectDone);
  };

  const endWithout = (error?: string): void => {
    if (ended) return;
    const runDone = synthesizeRunDone(state, error);
    state = reduce(state, runDone);
    if (error !== undefined) state = { ...state, finished: { ...state.finished!, error } };
    finish(runDone, true, error);
  };

  let subscription: { unsubscribe(): void } | undefined;
  subscription = events$.subscribe({
    next(event) {
      if (ended) return;
      const prev = state;
      state = reduce(prev, event);
      follower.event?.(event, state, prev);
      if (event.type === 'run-done') finish(event, false);
    },
    error(err: unknown) {
      endWithout(errorMessage(err));
    },
    complete() {
      endWithout();
    },
  });
  // A synchronous stream may have ended inside subscribe(), before `subscription` was assigned.
  if (ended) subscription.unsubscribe();

  return {
    done,
    unsubscribe() {
      subscription?.unsubscribe();
    },
  };
}

// User code that runs in the main thread (`--workers 0`, the in-thread re-fill from cached skims,
// global kinds) can loop without ever yielding, and a JS signal listener only runs when the event
// loop turns: Ctrl-C and SIGTERM were then ignored. So the synchronous part of such a call runs as
// a vm script with `breakOnSigint` (V8 stops the script on SIGINT: the run is cancelled as on any
// Ctrl-C, with its run-done line and exit 130) and with the process's SIGTERM listeners detached,
// so SIGTERM has its default effect and ends the process (exit 143; cache entries are only ever
// committed whole, output files by rename; the run-done line is then written by the CLI's
// sentinel, src/cli/last-words.ts, armed by the hook below). `timeoutMs` (--task-timeout) stops a
// call that runs longer. `process.exit()` in the synchronous part of node code throws instead of
// ending the process: the node fails, the run ends with its report. Costs ~0.2 ms a call (~0.8 ms
// with a timeout): used once per node and chunk, never per event.
import vm from 'node:vm';
import { UserError } from '../errors.ts';

export class RunCancelled extends Error {
  override name = 'RunCancelled';
  constructor() {
    super('cancelled');
  }
}

export class TaskTimeoutError extends UserError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no result after ${timeoutMs / 1000} s (--task-timeout)`, { code: 'FLOW_TASK_TIMEOUT' });
    this.timeoutMs = timeoutMs;
  }
}

const CALL = Symbol.for('hepflow.interruptible-call');
const script = new vm.Script(`globalThis[Symbol.for('hepflow.interruptible-call')]()`, { filename: 'hepflow-interruptible' });

export interface InterruptOptions {
  /** Stop on SIGINT/SIGTERM (main thread only: a worker is terminated by its pool instead). */
  signals: boolean;
  timeoutMs?: number;
}

/** Set when a SIGINT stopped user code: the run is being cancelled, no more user code starts
 *  (other chunks already scheduled in this thread would run into the same loop). */
let interrupted = false;

/** A new run in this process (tests run several) starts without a pending interrupt. */
export function clearInterrupt(): void {
  interrupted = false;
}

let onBlockingCall: (() => void) | undefined;

/** `hook` runs before each main-thread call (signals: true), while the event loop can still turn:
 *  the CLI records there what to print should a signal end the process inside the call. */
export function setBlockingCallHook(hook: (() => void) | undefined): void {
  onBlockingCall = hook;
}

/** `process.exit(code)` called by node code: a failure of the node, not the end of the process. */
export class ProcessExitCalled extends Error {
  constructor(code: unknown) {
    super(`process.exit(${code === undefined ? '' : String(code)}) called in node code (throw an error to fail a node)`);
  }
}

/** Calls `fn` (its synchronous part) so that signals and the timeout can stop it. */
export function callInterruptibly<T>(fn: () => T, o: InterruptOptions): T {
  if (o.signals && interrupted) throw new RunCancelled();
  if (o.signals) onBlockingCall?.();
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new ProcessExitCalled(code);
  }) as typeof process.exit;
  try {
    return callStoppable(fn, o);
  } finally {
    process.exit = exit;
  }
}

function callStoppable<T>(fn: () => T, o: InterruptOptions): T {
  if (!o.signals && !o.timeoutMs) return fn();
  const term = o.signals ? process.listeners('SIGTERM') : [];
  for (const l of term) process.off('SIGTERM', l);
  const g = globalThis as unknown as Record<symbol, unknown>;
  const prev = g[CALL];
  g[CALL] = fn;
  try {
    return script.runInThisContext({ breakOnSigint: o.signals, ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}) }) as T;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      // V8 took this Ctrl-C: hand it to the process's listeners as if the loop had yielded (the
      // CLI aborts the run on it; a second Ctrl-C then exits at once)
      interrupted = true;
      process.emit('SIGINT', 'SIGINT');
      throw new RunCancelled();
    }
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TaskTimeoutError(o.timeoutMs!);
    throw err;
  } finally {
    g[CALL] = prev;
    for (const l of term) process.on('SIGTERM', l);
  }
}

/** `p`, or RunCancelled as soon as `signal` aborts: node code awaiting something that never settles
 *  (a timer, a socket) does not keep a cancelled run from ending. */
export function untilCancelled<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RunCancelled());
  return new Promise<T>((res, rej) => {
    const onAbort = () => rej(new RunCancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(res, rej).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

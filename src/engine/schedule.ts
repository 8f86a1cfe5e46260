// Running the chunks of a group: a sliding window of chunks in flight (so memory holds at most the
// window's partials, whatever the number of files), results handed on in chunk order, retries of
// the chunk source's failures. A chunk with nothing to compute is not scheduled: the partials of
// reducers that must be rebuilt are read here, and an unreadable one sends its chunk to a task.
import { isCacheCorruption, readEncoded, type EncodedValue } from './cached-value.ts';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.ts';
import { chunkLabel, describeFailure, type ChunkFailure } from './failure.ts';
import { RunCancelled } from './interrupt.ts';
import type { GroupKeyPlan } from './key-plan.ts';
import type { ChunkSpec } from './node-kind.ts';
import { DEFAULT_IN_THREAD_MAX_EVENTS, errorMessage, type RunContext } from './run-context.ts';

/** Cached partials read in the main thread, per reducer. */
export interface CachedPartials {
  partials: Map<string, EncodedValue>;
}

/** A chunk's result: a task's, cached partials, or null (all cached, no partial wanted). */
export type ChunkOutcome = ChunkTaskResult | CachedPartials | null;

/** A chunk failed for good (after its retries). `failure` says which node's code threw; without it
 *  the task itself failed (a worker died, a timeout of the whole task). */
export class ChunkError extends Error {
  override name = 'ChunkError';
  /** The message without the chunk: what the summary's skippedFiles lists after the chunk label. */
  readonly reason: string;
  readonly chunk: ChunkSpec;
  readonly failure: ChunkFailure | undefined;
  constructor(chunk: ChunkSpec, failure: ChunkFailure | undefined, cause: unknown) {
    const reason = withoutPath(failure ? describeFailure(failure) : errorMessage(cause), chunk.file.path);
    super(`${chunk.file.path} [${chunk.start}:${chunk.stop}]: ${reason}`, { cause });
    this.reason = reason;
    this.chunk = chunk;
    this.failure = failure;
  }
}

/** The reader's messages start with the file; where the file is named already, name it once. */
function withoutPath(message: string, path: string): string {
  return message.replace(`${path}: `, '');
}

export class ChunkScheduler {
  private readonly inThread: boolean;
  private readonly abort = new AbortController();
  private readonly onAbort = () => this.abort.abort();

  private readonly run: RunContext;
  private readonly keys: GroupKeyPlan;

  constructor(run: RunContext, keys: GroupKeyPlan) {
    this.run = run;
    this.keys = keys;
    const { opts } = run;
    // Small re-runs from cached skims (a changed binning) run in this thread: starting workers that
    // import the graph again costs more than re-filling a few chunks from the cache.
    const limit = opts.inThreadMaxEvents ?? DEFAULT_IN_THREAD_MAX_EVENTS;
    this.inThread = opts.workers === 0 || !opts.makePool || (!run.poolStarted() && keys.sourceCachedWhereNeeded() && keys.eventsToRedo() <= limit);
    opts.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Consumes every chunk's outcome in chunk order; `consume` returns false to stop (the group
   *  failed), and the chunks still in flight are then aborted. */
  async forEach(consume: (i: number, outcome: ChunkOutcome | undefined, err?: unknown) => boolean): Promise<void> {
    const n = this.keys.chunks.length;
    const window = Math.max(8, 4 * Math.max(1, this.run.opts.workers));
    const pending: Array<Promise<ChunkOutcome> | undefined> = [];
    const launch = (upTo: number): void => {
      while (pending.length < Math.min(n, upTo)) {
        const p = this.runChunk(pending.length);
        p.catch(() => {}); // consumed in order below
        pending.push(p);
      }
    };
    try {
      for (let i = 0; i < n; i++) {
        launch(i + window);
        let outcome: ChunkOutcome;
        try {
          outcome = await pending[i]!;
          pending[i] = undefined;
        } catch (err) {
          if (err instanceof RunCancelled || this.run.opts.signal.aborted) throw new RunCancelled();
          if (!consume(i, undefined, err)) return;
          continue;
        }
        if (!consume(i, outcome)) return;
      }
    } finally {
      this.abort.abort(); // whatever is still in flight belongs to a failed or finished group
      this.run.opts.signal.removeEventListener('abort', this.onAbort);
    }
  }

  private async runChunk(i: number): Promise<ChunkOutcome> {
    const { keys } = this;
    if (!keys.needTask[i]) {
      if (keys.wantPartial.size === 0) return null;
      const partials = await this.readPartials(i);
      if (partials) return partials;
    }
    return this.runTask(i);
  }

  /** The cached partials of chunk `i`, or undefined when one cannot be read (it is recomputed). */
  private async readPartials(i: number): Promise<CachedPartials | undefined> {
    const out: CachedPartials = { partials: new Map() };
    for (const name of this.keys.wantPartial) {
      const ref = this.keys.cachedRef(name, i)!;
      try {
        out.partials.set(name, await readEncoded(this.run.store!, ref.key));
      } catch (err) {
        if (!(await isCacheCorruption(err))) throw err;
        this.keys.invalidate(name, i);
        this.run.emit({ type: 'warning', node: name, message: `corrupt cache entry for ${chunkLabel(this.keys.chunks[i]!)}, recomputing` });
        return undefined;
      }
    }
    return out;
  }

  private async runTask(i: number): Promise<ChunkTaskResult> {
    const { run, keys } = this;
    const { opts } = run;
    const chunk = keys.chunks[i]!;
    const src = keys.src;
    for (let attempt = 0; ; attempt++) {
      // built per attempt: a retry after a corrupt entry must not 'use' it again
      const task: ChunkTask = {
        type: 'chunk-task', graphPath: run.g.path, sets: opts.sets, cacheDir: opts.cacheDir, graph: run.plan.graph, chunk, nodes: keys.steps(i),
        ...(opts.taskTimeoutMs ? { timeoutMs: opts.taskTimeoutMs } : {}), ...(opts.strict ? { strict: true } : {}),
        ...(this.inThread ? {} : { progress: run.progressChannel() }),
      };
      let r: ChunkTaskResult | undefined;
      let err: unknown;
      const label = chunkLabel(chunk);
      try {
        run.checkCancel();
        run.chunkSubmitted(src.name, label);
        r = await this.submit(task);
      } catch (e) {
        if (e instanceof RunCancelled || opts.signal.aborted || this.abort.signal.aborted) throw new RunCancelled();
        err = e;
      } finally {
        run.chunkAnswered(src.name, label, r !== undefined && !r.failure);
      }
      if (r && !r.failure) return r;
      const failure = r?.failure;
      if (r) this.emitLogs(chunk, r);
      // Only the chunk source's failures are retried (a read can be transient); an exception in a
      // select/fill function, or a timeout, fails the same way every time.
      const retriable = failure === undefined || (failure.node === src.name && failure.code !== 'FLOW_TASK_TIMEOUT' && failure.code !== 'FLOW_STRICT');
      if (attempt >= opts.retries || !retriable) throw new ChunkError(chunk, failure, err);
      const why = failure ? describeFailure(failure) : errorMessage(err);
      run.emit({ type: 'warning', node: failure?.node ?? src.name, message: `chunk ${chunkLabel(chunk)} failed (attempt ${attempt + 1}/${opts.retries + 1}), retrying: ${why}` });
    }
  }

  private async submit(task: ChunkTask): Promise<ChunkTaskResult> {
    const pool = this.inThread ? undefined : this.run.workerPool();
    if (!pool) {
      const { runChunkTask } = await import('./chunk-task.ts');
      return runChunkTask(task, this.run.plan, this.run.store, { mainThread: true });
    }
    // The worker stops a node's call after --task-timeout itself (naming the node); this bounds the
    // whole task (graph import included) in case the worker cannot answer at all.
    const t = this.run.opts.taskTimeoutMs;
    const signal = t ? AbortSignal.any([this.abort.signal, AbortSignal.timeout(2 * t + 5000)]) : this.abort.signal;
    try {
      return await pool.run(task, signal);
    } catch (err) {
      if (t && signal.aborted && !this.abort.signal.aborted) throw new Error(`chunk task without a result after ${(2 * t + 5000) / 1000} s (--task-timeout)`);
      throw err;
    }
  }

  emitLogs(chunk: ChunkSpec, r: ChunkTaskResult): void {
    emitTaskLogs(this.run, chunk, r);
  }
}

/** A task's logs and its worker's store warnings, on the run's events. */
export function emitTaskLogs(run: RunContext, chunk: ChunkSpec, r: Pick<ChunkTaskResult, 'logs' | 'storeWarnings'>): void {
  for (const m of r.storeWarnings ?? []) run.emit({ type: 'warning', message: m });
  for (const l of r.logs) run.emit({ type: l.level === 'warn' ? 'warning' : 'log', node: l.node, message: `${chunkLabel(chunk)}: ${l.message}` });
}

// What every part of one run shares: the plan, the options, the store, the event stream, the
// summary being built, the files skipped so far, the node records, the forced set, each node's key
// base and the lazily started worker pool. The parts (global-node.ts, chunk-group.ts, ...) take a
// RunContext instead of closing over ~24 variables of one function.
import type { Subject } from 'rxjs';
import type { Store } from '../../cache/types.ts';
import { UserError } from '../errors.ts';
import type { RecomputeReason, RunEvent } from './events.ts';
import { keyVersion, nodeBase, type NodeBase } from './keys.ts';
import { StrictWarning } from './failure.ts';
import type { LoadedGraph } from './load.ts';
import type { BaseContext } from './node-kind.ts';
import { RunCancelled } from './interrupt.ts';
import { NodeRecords } from './node-records.ts';
import { OutputWriter } from './outputs.ts';
import type { ChunkPool } from './pool.ts';
import type { Plan, PlanNode } from './validate.ts';
import { ReadTotals } from './read-totals.ts';
import { listenForProgress } from './chunk-progress.ts';

export interface RunOptions {
  /** Worker threads; 0 runs chunk tasks in the main thread. */
  workers: number;
  /** null: --no-cache (nothing read, nothing written). */
  store: Store | null;
  cacheDir: string | null;
  outDir: string;
  /** --force NODE: these nodes and their descendants are recomputed. */
  force: string[];
  retries: number;
  chunkSize: number;
  skipBadFiles: boolean;
  signal: AbortSignal;
  /** Raw --set values (the workers rebuild the graph with them). */
  sets: Record<string, string>;
  /** Creates the worker pool on first use (never for an all-cached run). */
  makePool?: (workers: number) => ChunkPool;
  /** Re-runs from cached skims of at most this many events run in the main thread instead of
   *  starting workers (default 500_000; 0: always the workers). */
  inThreadMaxEvents?: number;
  /** --task-timeout: a chunk task (or a `ctx.parallel` item) without a result after this many ms
   *  fails its chunk. Default: none. */
  taskTimeoutMs?: number;
  /** --strict: a warning raised by node code (ctx.warn: a NaN weight, a fit that did not converge)
   *  fails the node instead (part of every key: see keyVersion). */
  strict?: boolean;
}

export const DEFAULT_IN_THREAD_MAX_EVENTS = 500_000;

export type RunSummary = Extract<RunEvent, { type: 'run-done' }>;
export type NodeSummary = RunSummary['nodes'][string];
export type SkippedFile = NonNullable<RunSummary['skippedFiles']>[number];

/** A node's outcome for its consumers: its output hash and a lazy loader of its value. */
export type NodeResult = { ok: true; hash: string; load: () => Promise<unknown> } | { ok: false; because: string };

type EmitArg = Record<string, unknown> & { type: RunEvent['type'] };

export class RunContext {
  readonly plan: Plan;
  readonly store: Store | null;
  readonly summary: Record<string, NodeSummary> = {};
  readonly skippedFiles: SkippedFile[] = [];
  /** Input I/O of the computed chunks (bytes, requests, fraction of the files read). */
  readonly readTotals = new ReadTotals();
  readonly results = new Map<string, Promise<NodeResult>>();
  readonly bases: Map<string, NodeBase>;
  readonly forced: Set<string>;
  readonly records: NodeRecords;
  readonly outputs: OutputWriter;
  private pool?: ChunkPool;
  private progress?: { name: string; close(): void };
  /** Chunks submitted, with their size once a progress message came. */
  private readonly inFlight = new Map<string, number | undefined>();

  readonly g: LoadedGraph;
  readonly opts: RunOptions;
  private readonly events: Subject<RunEvent>;

  private constructor(g: LoadedGraph, opts: RunOptions, events: Subject<RunEvent>, outputs: OutputWriter) {
    this.g = g;
    this.opts = opts;
    this.events = events;
    this.plan = g.plan;
    this.store = opts.store;
    this.bases = new Map(g.plan.order.map((n) => [n.name, nodeBase(n.kind.kind, keyVersion(n.kind.version, opts.strict), n.params, g.params, g.context)]));
    this.forced = forcedSet(g.plan, opts.force);
    this.records = new NodeRecords(opts.store, g.plan.graph);
    this.outputs = outputs;
  }

  static async create(g: LoadedGraph, opts: RunOptions, events: Subject<RunEvent>): Promise<RunContext> {
    const ctx: RunContext = new RunContext(g, opts, events, await OutputWriter.open(opts.outDir, (e) => ctx.emit(e), (node) => ctx.baseCtx(node)));
    return ctx;
  }

  emit(e: EmitArg): void {
    this.events.next({ ...e, t: Date.now() } as RunEvent);
  }

  base(name: string): NodeBase {
    return this.bases.get(name)!;
  }

  node(name: string): PlanNode {
    return this.plan.nodes.get(name)!;
  }

  checkCancel(): void {
    if (this.opts.signal.aborted) throw new RunCancelled();
  }

  /** The channel chunk tasks post their in-chunk read progress on (opened on first use). Messages
   *  come on their own port: one arriving after its task's result is dropped (chunkAnswered). */
  progressChannel(): string {
    this.progress ??= listenForProgress((m) => {
      const key = `${m.node}\0${m.chunk}`;
      if (!this.inFlight.has(key)) return;
      this.inFlight.set(key, m.total);
      this.emit({ type: 'chunk-progress', ...m });
    });
    return this.progress.name;
  }

  /** The source node's chunk is submitted to a worker. */
  chunkSubmitted(node: string, chunk: string): void {
    this.inFlight.set(`${node}\0${chunk}`, undefined);
  }

  /** The chunk's task answered: its partial count becomes whole until its chunk-done comes (in
   *  chunk order, possibly after others). */
  chunkAnswered(node: string, chunk: string, ok: boolean): void {
    const key = `${node}\0${chunk}`;
    const total = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (ok && total !== undefined) this.emit({ type: 'chunk-progress', node, chunk, events: total, total });
  }

  /** The worker pool, started on first use; undefined when chunk tasks run in this thread. */
  workerPool(): ChunkPool | undefined {
    if (this.opts.workers === 0 || !this.opts.makePool) return undefined;
    return (this.pool ??= this.opts.makePool(this.opts.workers));
  }

  poolStarted(): boolean {
    return this.pool !== undefined;
  }

  /** Per worker process, what it did (distributed pools only: run-done `workers`). */
  workerStats(): ReturnType<NonNullable<ChunkPool['workerStats']>> | undefined {
    return this.pool?.workerStats?.();
  }

  async destroyPool(): Promise<void> {
    this.progress?.close();
    await this.pool?.destroy();
  }

  /** Why node `n` recomputes (the first key part that differs from its record). */
  reason(n: PlanNode, inputsHash?: string): RecomputeReason {
    if (this.forced.has(n.name)) return 'forced';
    if (!this.store) return 'no-cache';
    return this.records.reason(n.name, this.base(n.name), inputsHash);
  }

  baseCtx(node: string): BaseContext {
    return {
      graph: this.plan.graph,
      node,
      signal: this.opts.signal,
      log: (message: string) => this.emit({ type: 'log', node, message }),
      warn: (message: string) => {
        if (this.opts.strict) throw new StrictWarning(message);
        this.emit({ type: 'warning', node, message });
      },
    };
  }

  /** Node `n` is not run: its input `because` failed. */
  skip(n: PlanNode, because: string): NodeResult {
    return this.notRun(n, `input '${because}' failed`, because);
  }

  /** Node `n` did not fail but could not finish: `culprit`, which shares its chunks, failed. */
  stopped(n: PlanNode, culprit: string): NodeResult {
    return this.notRun(n, `stopped: node '${culprit}' failed on the same chunks`, culprit);
  }

  private notRun(n: PlanNode, reason: string, failed: string): NodeResult {
    this.emit({ type: 'node-skipped', node: n.name, kind: n.kind.kind, because: reason });
    this.summary[n.name] = { status: 'skipped', reason, seconds: 0 };
    return { ok: false, because: failed };
  }

  /** Node `n` failed with `err` (a cancellation is rethrown: it ends the run, not the node). */
  fail(n: PlanNode, err: unknown, tStart: number): NodeResult {
    if (err instanceof RunCancelled || this.opts.signal.aborted) throw new RunCancelled();
    return this.failWith(n, errorMessage(err), (performance.now() - tStart) / 1000);
  }

  failWith(n: PlanNode, message: string, seconds = 0): NodeResult {
    this.emit({ type: 'node-failed', node: n.name, kind: n.kind.kind, error: message });
    this.summary[n.name] = { status: 'failed', reason: 'error', seconds, error: message };
    return { ok: false, because: n.name };
  }
}

/** The first line of an error's message. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}

function forcedSet(plan: Plan, names: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (!plan.nodes.has(name)) {
      throw new UserError(`--force ${name}: no such node (nodes: ${plan.order.map((n) => n.name).join(', ')})`, { code: 'FLOW_UNKNOWN_NODE' });
    }
    const stack = [name];
    while (stack.length) {
      const n = stack.pop()!;
      if (out.has(n)) continue;
      out.add(n);
      stack.push(...plan.nodes.get(n)!.consumers);
    }
  }
  return out;
}

// The run as the UIs see it: a pure reducer folding RunEvents into per-node counters. The three
// subscribers (dashboard, plain, json) all read from this state, so counts, rates and cache hits
// mean the same everywhere. Event times `t` are milliseconds on one clock (the engine's).
//
// Each event copies only the node it touches (and the shallow node map), so 10k chunk events per
// second stay cheap; the dashboard renders from the latest state at its own frame rate.
import type { NodeStatus, RunEvent } from '../engine/events.ts';

/** `pending`: announced by run-start, no event yet. The last four are final. */
export type NodePhase = 'pending' | 'queued' | 'running' | NodeStatus;

export interface NodeView {
  readonly name: string;
  readonly kind: string;
  readonly phase: NodePhase;
  /** Why it was recomputed (RecomputeReason or the run report's text); '' when not known. */
  readonly reason: string;
  readonly startT?: number;
  readonly endT?: number;
  /** Wall seconds reported by the engine (node-done / run-done). */
  readonly seconds?: number;
  /** Expected chunks of an event-level node; undefined for whole-artifact nodes. */
  readonly chunksTotal?: number;
  readonly chunksComputed: number;
  /** Chunks announced as cached by node-start (the engine may not send chunk-done for them). */
  readonly cachedAnnounced: number;
  /** chunk-done events with cached: true. */
  readonly cachedSeen: number;
  /** Chunks done as last reported by node-progress (unit 'chunks'), cached ones included. */
  readonly reportedDone: number;
  /** Final figures from node-done / run-done override the running counters. */
  readonly finalChunks?: number;
  readonly finalCached?: number;
  readonly finalEvents?: number;
  readonly events: number;
  readonly eventsComputed: number;
  readonly bytes: number;
  readonly lastChunkT?: number;
  /** Non-chunk progress (e.g. limit scan points). */
  readonly progress?: { readonly done: number; readonly total: number; readonly unit: string };
  readonly error?: string;
  readonly because?: string;
  readonly outputUnchanged: boolean;
  /** Still running when the run stopped (Ctrl-C); phase is then 'failed'. */
  readonly interrupted?: boolean;
}

export interface WarningView {
  readonly node?: string;
  readonly message: string;
  readonly t: number;
}

export interface RunSummary {
  readonly ok: boolean;
  readonly seconds: number;
  readonly skippedFiles: ReadonlyArray<{ path: string; reason: string }>;
  /** Nodes were still running when the report came (Ctrl-C): the next run resumes from the cache. */
  readonly interrupted: boolean;
  /** Set when the stream ended or failed without a run-done event. */
  readonly error?: string;
}

export interface RunState {
  readonly graph: string;
  readonly file: string;
  readonly workers: number;
  readonly cacheDir: string | null;
  readonly startT?: number;
  /** Latest event time seen. */
  readonly now: number;
  readonly order: readonly string[];
  readonly nodes: Readonly<Record<string, NodeView>>;
  /** The most recent warnings (at most KEEP_WARNINGS); warningCount counts all. */
  readonly warnings: readonly WarningView[];
  readonly warningCount: number;
  readonly lastLog?: WarningView;
  readonly outputs: ReadonlyArray<{ node: string; path: string }>;
  readonly finished?: RunSummary;
}

export const KEEP_WARNINGS = 5;

export function initialState(): RunState {
  return { graph: '', file: '', workers: 0, cacheDir: null, now: 0, order: [], nodes: {}, warnings: [], warningCount: 0, outputs: [] };
}

function blankNode(name: string, kind: string): NodeView {
  return {
    name, kind, phase: 'pending', reason: '', chunksComputed: 0, cachedAnnounced: 0, cachedSeen: 0, reportedDone: 0,
    events: 0, eventsComputed: 0, bytes: 0, outputUnchanged: false,
  };
}

function withNode(state: RunState, name: string, kind: string | undefined, update: (n: NodeView) => NodeView, t: number): RunState {
  const old = state.nodes[name];
  const base = old ?? blankNode(name, kind ?? '');
  const next = update(kind && !base.kind ? { ...base, kind } : base);
  return {
    ...state,
    now: Math.max(state.now, t),
    order: old ? state.order : [...state.order, name],
    nodes: { ...state.nodes, [name]: next },
  };
}

export function reduce(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'run-start': {
      const nodes: Record<string, NodeView> = { ...state.nodes };
      for (const name of event.nodes) nodes[name] ??= blankNode(name, '');
      const order = [...state.order, ...event.nodes.filter((n) => !state.order.includes(n))];
      return {
        ...state, graph: event.graph, file: event.file, workers: event.workers, cacheDir: event.cacheDir,
        startT: event.t, now: Math.max(state.now, event.t), order, nodes,
      };
    }
    case 'node-queued':
      return withNode(state, event.node, event.kind, (n) => (n.phase === 'pending' ? { ...n, phase: 'queued' } : n), event.t);
    case 'node-start':
      return withNode(state, event.node, event.kind, (n) => ({
        ...n,
        phase: 'running',
        reason: event.reason,
        startT: event.t,
        chunksTotal: event.chunks ?? n.chunksTotal,
        cachedAnnounced: event.cachedChunks ?? n.cachedAnnounced,
      }), event.t);
    case 'node-progress':
      return withNode(state, event.node, undefined, (n) => {
        if (event.unit === 'chunks') return { ...n, chunksTotal: event.total, reportedDone: Math.max(n.reportedDone, event.done) };
        return { ...n, progress: { done: event.done, total: event.total, unit: event.unit } };
      }, event.t);
    case 'chunk-done':
      return withNode(state, event.node, undefined, (n) => ({
        ...n,
        phase: n.phase === 'pending' || n.phase === 'queued' ? 'running' : n.phase,
        startT: n.startT ?? event.t,
        chunksComputed: n.chunksComputed + (event.cached ? 0 : 1),
        cachedSeen: n.cachedSeen + (event.cached ? 1 : 0),
        events: n.events + event.events,
        eventsComputed: n.eventsComputed + (event.cached ? 0 : event.events),
        bytes: n.bytes + event.bytes,
        lastChunkT: event.cached ? n.lastChunkT : event.t,
      }), event.t);
    case 'node-cached':
      return withNode(state, event.node, event.kind, (n) => ({ ...n, phase: 'cached', reason: 'cached', endT: event.t }), event.t);
    case 'node-done':
      return withNode(state, event.node, event.kind, (n) => ({
        ...n,
        phase: 'computed',
        endT: event.t,
        seconds: event.seconds,
        outputUnchanged: event.outputUnchanged ?? false,
        finalChunks: event.chunks ?? n.finalChunks,
        finalEvents: event.events ?? n.finalEvents,
        finalCached: event.cachedChunks ?? n.finalCached,
      }), event.t);
    case 'node-failed':
      return withNode(state, event.node, event.kind, (n) => ({ ...n, phase: 'failed', error: event.error, endT: event.t }), event.t);
    case 'node-skipped':
      return withNode(state, event.node, event.kind, (n) => ({ ...n, phase: 'skipped', because: event.because, endT: event.t }), event.t);
    case 'warning': {
      const w: WarningView = event.node === undefined ? { message: event.message, t: event.t } : { node: event.node, message: event.message, t: event.t };
      return { ...state, now: Math.max(state.now, event.t), warnings: [...state.warnings.slice(1 - KEEP_WARNINGS), w], warningCount: state.warningCount + 1 };
    }
    case 'log': {
      const l: WarningView = event.node === undefined ? { message: event.message, t: event.t } : { node: event.node, message: event.message, t: event.t };
      return { ...state, now: Math.max(state.now, event.t), lastLog: l };
    }
    case 'output':
      return { ...state, now: Math.max(state.now, event.t), outputs: [...state.outputs, { node: event.node, path: event.path }] };
    case 'run-done':
      return applyRunDone(state, event);
  }
}

function applyRunDone(state: RunState, event: Extract<RunEvent, { type: 'run-done' }>): RunState {
  const nodes: Record<string, NodeView> = { ...state.nodes };
  const order = [...state.order];
  for (const [name, r] of Object.entries(event.nodes)) {
    const n = nodes[name] ?? blankNode(name, '');
    if (!nodes[name]) order.push(name);
    nodes[name] = {
      ...n,
      phase: r.status,
      reason: r.reason,
      seconds: r.seconds,
      endT: n.endT ?? event.t,
      finalChunks: r.chunks ?? n.finalChunks,
      finalEvents: r.events ?? n.finalEvents,
      finalCached: r.cached_chunks ?? n.finalCached,
      error: r.error ?? n.error,
    };
  }
  // Nodes the report does not mention never finished: an interrupted run.
  let interrupted = false;
  for (const name of order) {
    const n = nodes[name]!;
    if (n.phase === 'running') {
      interrupted = true;
      nodes[name] = { ...n, phase: 'failed', interrupted: true, error: n.error ?? 'interrupted', endT: event.t };
    }
    else if (n.phase === 'pending' || n.phase === 'queued') nodes[name] = { ...n, phase: 'skipped', because: n.because ?? 'not reached' };
  }
  return {
    ...state,
    now: Math.max(state.now, event.t),
    order,
    nodes,
    finished: { ok: event.ok, seconds: event.seconds, skippedFiles: event.skippedFiles ?? [], interrupted },
  };
}

/** Fold a whole sequence (tests, replays). */
export function reduceAll(events: Iterable<RunEvent>, state: RunState = initialState()): RunState {
  let s = state;
  for (const e of events) s = reduce(s, e);
  return s;
}

// ---- derived figures (what every UI prints) ----

export function isFinal(n: NodeView): boolean {
  return n.phase === 'cached' || n.phase === 'computed' || n.phase === 'failed' || n.phase === 'skipped';
}

/** Whether the node works chunk by chunk (shows a chunk bar, events and cache hits). */
export function isEventLevel(n: NodeView): boolean {
  return n.chunksTotal !== undefined || n.finalChunks !== undefined || n.chunksComputed + n.cachedSeen > 0;
}

export function cachedChunks(n: NodeView): number {
  return n.finalCached ?? Math.max(n.cachedAnnounced, n.cachedSeen);
}

export function chunksDone(n: NodeView): number {
  if (n.finalChunks !== undefined && isFinal(n) && n.phase !== 'failed') return n.finalChunks;
  return Math.max(n.reportedDone, n.chunksComputed + Math.max(n.cachedAnnounced, n.cachedSeen));
}

export function chunksTotal(n: NodeView): number | undefined {
  return n.finalChunks ?? n.chunksTotal;
}

export function eventsOf(n: NodeView): number {
  return n.finalEvents ?? n.events;
}

/** Progress to draw: chunks for event-level nodes, else the node's own unit (scan points...). */
export function progressOf(n: NodeView): { done: number; total: number; unit: string } | undefined {
  const total = chunksTotal(n);
  if (total !== undefined) return { done: chunksDone(n), total, unit: 'chunks' };
  return n.progress;
}

/** Seconds the node has been running (or ran), given the current time on the event clock. */
export function elapsedOf(n: NodeView, now: number): number | undefined {
  if (n.seconds !== undefined && isFinal(n)) return n.seconds;
  if (n.startT === undefined) return undefined;
  return Math.max(0, ((n.endT ?? now) - n.startT) / 1000);
}

/** Wall-clock rate of freshly computed events (cached chunks excluded: they cost nothing). */
export function rateOf(n: NodeView): number {
  if (n.startT === undefined || n.lastChunkT === undefined || n.eventsComputed === 0) return 0;
  const seconds = n.phase === 'computed' && n.seconds ? n.seconds : (n.lastChunkT - n.startT) / 1000;
  return seconds > 0 ? n.eventsComputed / seconds : 0;
}

/** Seconds left for a running event-level node at its pace so far (computed chunks per second of
 *  its run); undefined until two chunks have been computed. */
export function etaOf(n: NodeView): number | undefined {
  if (n.phase !== 'running' || n.startT === undefined || n.lastChunkT === undefined || n.chunksComputed < 2) return undefined;
  const total = chunksTotal(n);
  if (total === undefined) return undefined;
  const seconds = (n.lastChunkT - n.startT) / 1000;
  if (seconds <= 0) return undefined;
  return Math.max(0, total - chunksDone(n)) / (n.chunksComputed / seconds);
}

/** The run's chunk phase ends with its slowest running node. */
export function runEta(state: RunState): number | undefined {
  let eta: number | undefined;
  for (const name of state.order) {
    const e = etaOf(state.nodes[name]!);
    if (e !== undefined) eta = Math.max(eta ?? 0, e);
  }
  return eta;
}

export interface Totals {
  readonly nodes: number;
  readonly computed: number;
  readonly cached: number;
  /** Failed, not counting the interrupted ones. */
  readonly failed: number;
  readonly interrupted: number;
  readonly skipped: number;
  readonly running: number;
  /** Events read from input: the skims' sum when there are skims (later nodes re-see the same
   *  events), else the largest event-level node. */
  readonly events: number;
  readonly chunks: number;
  readonly cachedChunks: number;
}

export function totals(state: RunState): Totals {
  let computed = 0, cached = 0, failed = 0, interrupted = 0, skipped = 0, running = 0;
  let skimEvents = 0, maxEvents = 0, hasSkim = false, chunks = 0, cached_ = 0;
  for (const name of state.order) {
    const n = state.nodes[name]!;
    if (n.phase === 'computed') computed++;
    else if (n.phase === 'cached') cached++;
    else if (n.phase === 'failed' && n.interrupted) interrupted++;
    else if (n.phase === 'failed') failed++;
    else if (n.phase === 'skipped') skipped++;
    else if (n.phase === 'running') running++;
    const ev = eventsOf(n);
    if (n.kind === 'skim') {
      hasSkim = true;
      skimEvents += ev;
    }
    maxEvents = Math.max(maxEvents, ev);
    if (isEventLevel(n)) {
      chunks += chunksDone(n);
      cached_ += cachedChunks(n);
    }
  }
  return { nodes: state.order.length, computed, cached, failed, interrupted, skipped, running, events: hasSkim ? skimEvents : maxEvents, chunks, cachedChunks: cached_ };
}

/** Events read per second now: running skims summed, else the fastest running node (as totals). */
export function runRate(state: RunState): number {
  let skims = 0, max = 0, hasSkim = false;
  for (const name of state.order) {
    const n = state.nodes[name]!;
    if (n.phase !== 'running') continue;
    const r = rateOf(n);
    if (n.kind === 'skim') {
      hasSkim = true;
      skims += r;
    }
    max = Math.max(max, r);
  }
  return hasSkim ? skims : max;
}

type RunDone = Extract<RunEvent, { type: 'run-done' }>;

/** The run report for a stream that ended without one (engine crash, Ctrl-C): every node with
 *  what is known, ok = false. */
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
  return error === undefined ? done : { ...done, error } as RunDone;
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

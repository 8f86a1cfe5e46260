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
  /** Times of the first and the latest freshly computed chunk. */
  readonly firstChunkT?: number;
  readonly lastChunkT?: number;
  /** Chunks being read (chunk-progress, cleared by their chunk-done): events so far of each. */
  readonly inChunk: Readonly<Record<string, { readonly events: number; readonly total: number }>>;
  /** Time of the latest chunk-progress. */
  readonly lastProgressT?: number;
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
  /** The engine's input I/O figures (run-done `read`). */
  readonly read?: { bytes: number; requests: number; fileBytes: number; fraction?: number };
}

/** A `flow worker` process serving the run (scale-out), as its last event described it. */
export interface RemoteWorkerView {
  readonly id: string;
  readonly host: string;
  readonly state: 'start' | 'stop' | 'heartbeat' | 'refused' | 'failed';
  readonly slots: number;
  readonly busy: number;
  /** Chunks and events it computed for this run (its own count, from its heartbeats). */
  readonly chunks: number;
  readonly events: number;
  readonly lastT: number;
  readonly message?: string;
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
  /** Input bytes / requests read so far (chunk-done `read`). */
  readonly readBytes?: number;
  readonly readRequests?: number;
  /** Scale-out only: worker processes by id. */
  readonly remoteWorkers: Readonly<Record<string, RemoteWorkerView>>;
  readonly finished?: RunSummary;
}

export const KEEP_WARNINGS = 5;

export function initialState(): RunState {
  return { graph: '', file: '', workers: 0, cacheDir: null, now: 0, order: [], nodes: {}, warnings: [], warningCount: 0, outputs: [], remoteWorkers: {} };
}

function blankNode(name: string, kind: string): NodeView {
  return {
    name, kind, phase: 'pending', reason: '', chunksComputed: 0, cachedAnnounced: 0, cachedSeen: 0, reportedDone: 0,
    events: 0, eventsComputed: 0, bytes: 0, outputUnchanged: false, inChunk: {},
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
    case 'chunk-progress':
      return withNode(state, event.node, undefined, (n) => (isFinalPhase(n.phase) ? n : {
        ...n,
        phase: n.phase === 'pending' || n.phase === 'queued' ? 'running' : n.phase,
        startT: n.startT ?? event.t,
        inChunk: { ...n.inChunk, [event.chunk]: { events: event.events, total: event.total } },
        lastProgressT: event.t,
      }), event.t);
    case 'chunk-done': {
      const read = event.read ? { readBytes: (state.readBytes ?? 0) + event.read.bytes, readRequests: (state.readRequests ?? 0) + event.read.requests } : {};
      return withNode({ ...state, ...read }, event.node, undefined, (n) => ({
        ...n,
        phase: n.phase === 'pending' || n.phase === 'queued' ? 'running' : n.phase,
        startT: n.startT ?? event.t,
        chunksComputed: n.chunksComputed + (event.cached ? 0 : 1),
        cachedSeen: n.cachedSeen + (event.cached ? 1 : 0),
        events: n.events + event.events,
        eventsComputed: n.eventsComputed + (event.cached ? 0 : event.events),
        bytes: n.bytes + event.bytes,
        firstChunkT: event.cached ? n.firstChunkT : (n.firstChunkT ?? event.t),
        lastChunkT: event.cached ? n.lastChunkT : event.t,
        inChunk: event.chunk in n.inChunk ? without(n.inChunk, event.chunk) : n.inChunk,
      }), event.t);
    }
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
    case 'worker': {
      const old = state.remoteWorkers[event.id];
      // a failed job leaves the worker serving: keep its last lifecycle state, note the message
      const st = event.state === 'failed' && old ? old.state : event.state;
      const w: RemoteWorkerView = {
        id: event.id, host: event.host, state: st, slots: event.slots ?? old?.slots ?? 1, busy: event.busy ?? 0,
        chunks: event.chunks ?? old?.chunks ?? 0, events: event.events ?? old?.events ?? 0, lastT: event.t,
        ...(event.message ?? old?.message ? { message: event.message ?? old?.message } : {}),
      };
      return { ...state, now: Math.max(state.now, event.t), remoteWorkers: { ...state.remoteWorkers, [event.id]: w } };
    }
    case 'run-done':
      return applyRunDone(state, event);
  }
}

export function isFinalPhase(p: NodePhase): boolean {
  return p === 'cached' || p === 'computed' || p === 'failed' || p === 'skipped';
}

function without<V>(r: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const out = { ...r };
  delete out[key];
  return out;
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
    finished: { ok: event.ok, seconds: event.seconds, skippedFiles: event.skippedFiles ?? [], interrupted, ...(event.read ? { read: event.read } : {}) },
  };
}


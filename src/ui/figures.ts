// Figures derived from the run state, the same in every UI: chunks done and cached, events,
// rates, elapsed time, ETA, run totals.
import type { NodeView, RunState } from './state.ts';

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

/** Seconds left for a running event-level node at its pace since its first computed chunk (the
 *  time before it is worker start-up). Undefined until 3 chunks and 5% are done: early estimates
 *  swing wildly. */
export function etaOf(n: NodeView): number | undefined {
  if (n.phase !== 'running' || n.firstChunkT === undefined || n.lastChunkT === undefined || n.chunksComputed < 3) return undefined;
  const total = chunksTotal(n);
  if (total === undefined || chunksDone(n) < 0.05 * total) return undefined;
  const seconds = (n.lastChunkT - n.firstChunkT) / 1000;
  if (seconds <= 0) return undefined;
  return Math.max(0, total - chunksDone(n)) / ((n.chunksComputed - 1) / seconds);
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

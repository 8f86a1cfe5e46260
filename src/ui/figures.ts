// Figures derived from the run state, the same in every UI: chunks done and cached, events,
// rates, elapsed time, ETA, run totals.
import { isFinalPhase, type NodeView, type RunState } from './state.ts';

export function isFinal(n: NodeView): boolean {
  return isFinalPhase(n.phase);
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

/** Events read so far, inside the chunks still being read (chunk-progress) included. */
export function eventsOf(n: NodeView): number {
  return n.finalEvents ?? n.events + inChunk(n).events;
}

/** The chunks being read: their events so far, and how many chunks' worth that is. */
function inChunk(n: NodeView): { events: number; chunks: number } {
  let events = 0, chunks = 0;
  if (n.phase !== 'running') return { events, chunks };
  for (const c of Object.values(n.inChunk)) {
    events += c.events;
    if (c.total > 0) chunks += c.events / c.total;
  }
  return { events, chunks };
}

/** Progress to draw: chunks for event-level nodes, else the node's own unit (scan points...).
 *  `partial`: the fraction of chunks read so far inside chunks in flight (the bar moves with it). */
export function progressOf(n: NodeView): { done: number; total: number; unit: string; partial?: number } | undefined {
  const total = chunksTotal(n);
  if (total !== undefined) {
    const done = chunksDone(n);
    const partial = Math.min(inChunk(n).chunks, Math.max(0, total - done));
    return partial > 0 ? { done, total, unit: 'chunks', partial } : { done, total, unit: 'chunks' };
  }
  return n.progress;
}

/** Wall seconds the node has been running (or ran), given the current time on the event clock.
 *  For chunk nodes too: the engine's `seconds` of those is CPU time summed over workers (cpuOf). */
export function elapsedOf(n: NodeView, now: number): number | undefined {
  const wall = n.startT !== undefined && n.endT !== undefined && isEventLevel(n);
  if (n.seconds !== undefined && isFinal(n) && !wall) return n.seconds;
  if (n.startT === undefined) return undefined;
  return Math.max(0, ((n.endT ?? now) - n.startT) / 1000);
}

/** CPU seconds of a finished chunk node (the sum of its chunks' compute times over all workers). */
export function cpuOf(n: NodeView): number | undefined {
  return isEventLevel(n) && n.phase === 'computed' ? n.seconds : undefined;
}

/** Wall-clock rate of freshly computed events (cached chunks excluded: they cost nothing), from the
 *  first basket read on (chunk-progress), not only from the first finished chunk. */
export function rateOf(n: NodeView): number {
  const reading = inChunk(n).events;
  const lastT = Math.max(n.lastChunkT ?? -Infinity, reading > 0 ? n.lastProgressT ?? -Infinity : -Infinity);
  const events = n.eventsComputed + reading;
  if (n.startT === undefined || lastT === -Infinity || events === 0) return 0;
  const seconds = (n.endT !== undefined ? n.endT - n.startT : lastT - n.startT) / 1000;
  return seconds > 0 ? events / seconds : 0;
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

/** CPU seconds of the run's chunk work: every computed chunk node's compute time, all workers. */
export function chunkCpu(state: RunState): number {
  let cpu = 0;
  for (const name of state.order) cpu += cpuOf(state.nodes[name]!) ?? 0;
  return cpu;
}

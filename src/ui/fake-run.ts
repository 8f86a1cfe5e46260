// A scripted run of an AGC-like graph (fetch, skim and fill over chunks on two workers, merge,
// workspace, fit, a limit scan, plots) for the demo and the UI tests. `fakeRunSchedule` gives the
// events with their times; `replay` plays them on timers as the engine's stream would.
import { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';

export interface FakeRunOptions {
  /** Make the fit fail (limit and plots are then skipped). */
  fail?: boolean;
  chunks?: number;
  cachedChunks?: number;
  workers?: number;
  /** Seconds one worker takes per chunk. */
  chunkSeconds?: number;
}

const NODES: Array<[name: string, kind: string]> = [
  ['fileset', 'fetch'], ['ttbar-skim', 'skim'], ['histograms', 'fill'], ['merged', 'merge'],
  ['workspace', 'build-workspace'], ['fit', 'fit'], ['limit', 'limit'], ['plots', 'plot'],
];

/** Events in time order; `t` is milliseconds from 0. */
export function fakeRunSchedule(opts: FakeRunOptions = {}): RunEvent[] {
  const chunks = opts.chunks ?? 120;
  const cachedN = Math.min(opts.cachedChunks ?? 30, chunks);
  const workers = opts.workers ?? 2;
  const chunkMs = (opts.chunkSeconds ?? 0.25) * 1000;
  const out: RunEvent[] = [];
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };

  out.push({ type: 'run-start', graph: 'agc-ttbar', file: 'graphs/agc-ttbar.ts', nodes: NODES.map(([n]) => n), workers, cacheDir: '.flow-cache', t: 0 });
  for (const [node, kind] of NODES) out.push({ type: 'node-queued', node, kind, t: 1 });
  out.push({ type: 'node-cached', node: 'fileset', kind: 'fetch', t: 20 });
  out.push({ type: 'node-start', node: 'ttbar-skim', kind: 'skim', reason: 'input', chunks, cachedChunks: cachedN, t: 30 });
  out.push({ type: 'node-start', node: 'histograms', kind: 'fill', reason: 'params', chunks, t: 30 });

  let skimEvents = 0;
  const workerFree = new Array<number>(workers).fill(40);
  const chunkEvents: RunEvent[] = [];
  for (let c = 0; c < chunks; c++) {
    const events = 80_000 + Math.floor(rand() * 40_000);
    const chunk = `ttbar_${String(Math.floor(c / 4)).padStart(3, '0')}.root:${(c % 4) * 250_000}`;
    skimEvents += events;
    const cached = c < cachedN;
    // Cached skim chunks still need the fill (new params), at a fraction of the cost.
    const w = workerFree.indexOf(Math.min(...workerFree));
    const cost = (cached ? 0.15 : 1) * chunkMs * (0.8 + 0.4 * rand());
    const t = Math.round(workerFree[w]! + cost);
    workerFree[w] = t;
    chunkEvents.push({ type: 'chunk-done', node: 'ttbar-skim', chunk, events, bytes: events * 48, cached, seconds: cached ? 0 : cost / 1000, t: cached ? 35 : t });
    chunkEvents.push({ type: 'chunk-done', node: 'histograms', chunk, events, bytes: 4096, cached: false, seconds: cost / 1000, t });
  }
  out.push(...chunkEvents);
  let t = Math.max(...workerFree);
  out.push({ type: 'warning', node: 'ttbar-skim', message: 'data/ttbar_bad.root: not a ROOT file (bad magic bytes); skipped (skipBadFiles)', t: 900 });
  out.push({ type: 'node-done', node: 'ttbar-skim', kind: 'skim', seconds: (t - 30) / 1000, chunks, events: skimEvents, cachedChunks: cachedN, t });
  out.push({ type: 'node-done', node: 'histograms', kind: 'fill', seconds: (t - 30) / 1000, chunks, events: skimEvents, cachedChunks: 0, t });
  out.push({ type: 'node-start', node: 'merged', kind: 'merge', reason: 'input', t });
  t += 180;
  out.push({ type: 'node-done', node: 'merged', kind: 'merge', seconds: 0.18, t });
  out.push({ type: 'node-start', node: 'workspace', kind: 'build-workspace', reason: 'input', t });
  t += 90;
  out.push({ type: 'output', node: 'workspace', path: 'out/agc-ttbar/workspace.json', t });
  out.push({ type: 'node-done', node: 'workspace', kind: 'build-workspace', seconds: 0.09, outputUnchanged: false, t });
  out.push({ type: 'node-start', node: 'fit', kind: 'fit', reason: 'input', t });
  t += 650;
  const report: Extract<RunEvent, { type: 'run-done' }>['nodes'] = {
    fileset: { status: 'cached', reason: 'cached', seconds: 0 },
    'ttbar-skim': { status: 'computed', reason: 'input', seconds: 0, chunks, events: skimEvents, cached_chunks: cachedN },
    histograms: { status: 'computed', reason: 'params', seconds: 0, chunks, events: skimEvents, cached_chunks: 0 },
    merged: { status: 'computed', reason: 'input', seconds: 0.18 },
    workspace: { status: 'computed', reason: 'input', seconds: 0.09 },
  };
  report['ttbar-skim']!.seconds = report.histograms!.seconds = (Math.max(...workerFree) - 30) / 1000;
  if (opts.fail) {
    const error = 'fit did not converge: twice_nll is NaN at ttbar_norm = 2.31 (workspace channel 4j2b, bin 7 has zero expected events)';
    out.push({ type: 'node-failed', node: 'fit', kind: 'fit', error, t });
    out.push({ type: 'node-skipped', node: 'limit', kind: 'limit', because: 'input fit failed', t });
    out.push({ type: 'node-skipped', node: 'plots', kind: 'plot', because: 'input fit failed', t });
    report.fit = { status: 'failed', reason: 'input', seconds: 0.65, error };
    report.limit = { status: 'skipped', reason: 'input fit failed', seconds: 0 };
    report.plots = { status: 'skipped', reason: 'input fit failed', seconds: 0 };
  } else {
    out.push({ type: 'output', node: 'fit', path: 'out/agc-ttbar/fit.json', t });
    out.push({ type: 'node-done', node: 'fit', kind: 'fit', seconds: 0.65, t });
    out.push({ type: 'node-start', node: 'limit', kind: 'limit', reason: 'new', t });
    out.push({ type: 'node-start', node: 'plots', kind: 'plot', reason: 'new', t });
    const points = 21;
    for (let p = 1; p <= points; p++) out.push({ type: 'node-progress', node: 'limit', done: p, total: points, unit: 'points', t: t + p * 90 });
    out.push({ type: 'output', node: 'plots', path: 'out/agc-ttbar/figures/m_bjj.png', t: t + 400 });
    out.push({ type: 'node-done', node: 'plots', kind: 'plot', seconds: 0.4, t: t + 400 });
    t += points * 90;
    out.push({ type: 'output', node: 'limit', path: 'out/agc-ttbar/limit.json', t });
    out.push({ type: 'node-done', node: 'limit', kind: 'limit', seconds: points * 0.09, t });
    report.fit = { status: 'computed', reason: 'input', seconds: 0.65 };
    report.limit = { status: 'computed', reason: 'new', seconds: points * 0.09 };
    report.plots = { status: 'computed', reason: 'new', seconds: 0.4 };
  }
  out.push({
    type: 'run-done', ok: !opts.fail, seconds: t / 1000, nodes: report,
    skippedFiles: [{ path: 'data/ttbar_bad.root', reason: 'not a ROOT file (bad magic bytes)' }], t,
  });
  return out.sort((a, b) => a.t - b.t); // stable: equal times keep their logical order
}

/** Emit the schedule in real time (divided by `speed`), then complete. */
export function replay(schedule: readonly RunEvent[], speed = 1): Observable<RunEvent> {
  return new Observable<RunEvent>((sub) => {
    const t0 = performance.now();
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      const now = (performance.now() - t0) * speed;
      while (i < schedule.length && schedule[i]!.t <= now) sub.next(schedule[i++]!);
      if (i >= schedule.length) sub.complete();
      else timer = setTimeout(pump, Math.max(1, Math.min(50, (schedule[i]!.t - now) / speed)));
    };
    pump();
    return () => clearTimeout(timer);
  });
}

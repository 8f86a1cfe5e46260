// `--ui plain` (default without a TTY and in CI): one line per state change, stamped with the time
// since run start, chunk progress throttled per node, then a summary table. ANSI colour only when
// asked for, so CI logs and files stay clean.
import { workersLine, workersSummary } from './workers-line.ts';
import type { Writable } from 'node:stream';
import { styleText } from 'node:util';
import type { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';
import { followRun, type RunEnd } from './follow.ts';
import { describeReason, firstLine, formatCount, formatRate, formatRead, formatSeconds, formatWorkers, truncate } from './format.ts';
import { LineWriter } from './line-writer.ts';
import { cachedChunks, chunksDone, cpuOf, elapsedOf, etaOf, eventsOf, isEventLevel, progressOf, rateOf, totals } from './figures.ts';
import type { NodeView, RunState } from './state.ts';
import { listedOutputs } from './outputs.ts';

/** A progress line at least this often while a node runs... */
const PROGRESS_EVERY_MS = 2000;
/** ...and at each further 10% of its chunks, but not more often than this. */
const PROGRESS_MIN_GAP_MS = 500;
const MAX_ERROR_LINES = 20;

type Style = Parameters<typeof styleText>[0];

export interface PlainFormatter {
  /** Lines for one event (often none: queued nodes and throttled chunks print nothing). */
  lines(event: RunEvent, next: RunState, prev: RunState): string[];
  /** The closing summary table, skipped files and outputs. */
  summary(end: RunEnd): string[];
  /** A "still running" line for quiet stretches (long fits): `now` is the event clock's time. */
  heartbeat(state: RunState, now: number): string[];
}

export function createPlainFormatter(opts: { color?: boolean } = {}): PlainFormatter {
  const color = opts.color ?? false;
  const paint = (style: Style, text: string): string => (color ? styleText(style, text, { validateStream: false }) : text);
  /** A status word padded to one column width (padding outside the colour, so lines trim). */
  const tag = (style: Style, word: string): string => paint(style, word) + ' '.repeat(Math.max(0, 8 - word.length));
  let nameWidth = 12;
  const lastPrint = new Map<string, { t: number; decile: number }>();

  const stamp = (state: RunState, t: number): string => {
    const s = state.startT === undefined ? 0 : (t - state.startT) / 1000;
    return paint('dim', `[${s.toFixed(1).padStart(6)}s]`);
  };
  const head = (state: RunState, t: number, node: string): string => `${stamp(state, t)} ${node.padEnd(nameWidth)}`;

  const chunkFigures = (n: NodeView): string => {
    const p = progressOf(n);
    const parts: string[] = [];
    if (p) {
      const cached = p.unit === 'chunks' ? cachedChunks(n) : 0;
      parts.push(`${p.done}/${p.total} ${p.unit}${cached > 0 ? ` (${cached} cached)` : ''}`);
    }
    if (isEventLevel(n)) {
      parts.push(`${formatCount(eventsOf(n))} ev`);
      const rate = rateOf(n);
      if (rate > 0) parts.push(formatRate(rate));
    }
    return parts.join('  ');
  };

  const progressLine = (event: RunEvent & { node: string }, next: RunState): string[] => {
    const n = next.nodes[event.node]!;
    if (n.phase !== 'running') return [];
    const p = progressOf(n);
    if (!p || p.total <= 0 || p.done >= p.total) return [];
    const last = lastPrint.get(n.name) ?? { t: n.startT ?? event.t, decile: 0 };
    const decile = Math.floor((10 * p.done) / p.total);
    const since = event.t - last.t;
    if (since < PROGRESS_EVERY_MS && !(decile > last.decile && since >= PROGRESS_MIN_GAP_MS)) return [];
    lastPrint.set(n.name, { t: event.t, decile });
    const eta = etaOf(n);
    return [`${head(next, event.t, n.name)} ${tag('blue', 'running')} ${chunkFigures(n)}${eta === undefined ? '' : `  ETA ${formatSeconds(eta)}`}`];
  };

  return {
    lines(event, next) {
      switch (event.type) {
        case 'run-start': {
          nameWidth = Math.min(24, Math.max(8, ...event.nodes.map((n) => n.length)));
          const cache = event.cacheDir === null ? 'cache off' : `cache ${event.cacheDir}`;
          return [`${stamp(next, event.t)} run ${paint('bold', event.graph)} (${event.file}): ${event.nodes.length} nodes, ${formatWorkers(event.workers)}, ${cache}`];
        }
        case 'node-queued':
          return [];
        case 'node-start': {
          const n = next.nodes[event.node]!;
          const what: string[] = [];
          if (event.chunks !== undefined) what.push(`${event.chunks} chunks${event.cachedChunks ? ` (${event.cachedChunks} cached)` : ''}`);
          what.push(describeReason(event.reason));
          lastPrint.set(n.name, { t: event.t, decile: 0 });
          return [`${head(next, event.t, event.node)} ${tag('blue', 'start')} ${what.join(', ')}`];
        }
        case 'chunk-done':
        case 'chunk-progress':
        case 'node-progress':
          return progressLine(event, next);
        case 'node-cached':
          return [`${head(next, event.t, event.node)} ${tag('cyan', 'cached')}`];
        case 'node-done': {
          const n = next.nodes[event.node]!;
          const figures = chunkFigures(n);
          const tail = [figures, `in ${formatSeconds(elapsedOf(n, event.t) ?? event.seconds)}`, event.outputUnchanged ? 'output unchanged' : ''].filter(Boolean).join('  ');
          return [`${head(next, event.t, event.node)} ${tag('green', 'done')} ${tail}`];
        }
        case 'node-failed': {
          const [first = '', ...rest] = event.error.split('\n');
          const indent = ' '.repeat(nameWidth + 20); // under the message: stamp, name, status word
          const more = rest.slice(0, MAX_ERROR_LINES).map((l) => paint('red', indent + l));
          if (rest.length > MAX_ERROR_LINES) more.push(paint('red', `${indent}... (${rest.length - MAX_ERROR_LINES} more lines)`));
          return [`${head(next, event.t, event.node)} ${tag(['red', 'bold'], 'FAILED')} ${paint('red', first)}`, ...more];
        }
        case 'node-skipped':
          return [`${head(next, event.t, event.node)} ${tag('gray', 'skipped')} ${event.because}`];
        case 'warning':
          return [event.node === undefined
            ? `${stamp(next, event.t)} ${tag('yellow', 'warning:')} ${event.message}`
            : `${head(next, event.t, event.node)} ${tag('yellow', 'warning')} ${event.message}`];
        case 'log':
          return [event.node === undefined ? `${stamp(next, event.t)} ${event.message}` : `${head(next, event.t, event.node)} ${event.message}`];
        case 'output':
          return [`${head(next, event.t, event.node)} ${tag('none', 'wrote')} ${event.path}`];
        case 'worker': {
          if (event.state === 'heartbeat') return [];
          const what = event.state === 'start' ? 'started serving' : event.state === 'stop' ? 'stopped' : event.state === 'refused' ? 'refused the run:' : 'failed a job:';
          const line = `${stamp(next, event.t)} worker ${event.id} (${event.host}) ${what}${event.message ? ` ${event.message}` : ''}`;
          const all = workersLine(next, event.t);
          return all ? [line, `${stamp(next, event.t)} ${all}`] : [line];
        }
        case 'run-done': {
          const w = workersSummary(event);
          return w ? [`${stamp(next, event.t)} ${w}`] : [];
        }
      }
    },

    heartbeat(state, now) {
      const running = state.order.map((n) => state.nodes[n]!).filter((n) => n.phase === 'running');
      if (running.length === 0) return [];
      const what = running.map((n) => {
        const p = progressOf(n);
        return `${n.name} ${formatSeconds(elapsedOf(n, now) ?? 0)}${p ? ` (${p.done}/${p.total} ${p.unit})` : ''}`;
      });
      return [`${stamp(state, now)} still running: ${what.join(', ')}`];
    },

    summary({ state, runDone, synthesized, error }) {
      const tot = totals(state);
      const verdict = runDone.ok ? paint(['green', 'bold'], 'ok') : state.finished?.interrupted ? paint(['yellow', 'bold'], 'INTERRUPTED') : paint(['red', 'bold'], 'FAILED');
      const counts = `${tot.computed} computed, ${tot.cached} cached, ${tot.failed} failed, ${tot.skipped} skipped${tot.interrupted ? `, ${tot.interrupted} interrupted` : ''}`;
      const events = tot.events > 0 ? `; ${formatCount(tot.events)} events` : '';
      const out = ['', `run ${state.graph || '(unnamed)'} ${verdict} in ${formatSeconds(runDone.seconds)}: ${counts}${events}`];
      if (runDone.read) out.push(formatRead(runDone.read));
      if (state.finished?.interrupted) out.push(paint('yellow', 'finished chunks are cached: run again to resume'));
      if (error !== undefined) out.push(paint('red', `run ended with an error: ${firstLine(error)}`));
      else if (synthesized) out.push(paint('red', 'run ended without a report'));

      // time: wall; cpu: a chunk node's compute time summed over the workers
      const header = ['node', 'status', 'reason', 'chunks', 'events', 'time', 'cpu'];
      const rows = state.order.map((name) => summaryRow(state.nodes[name]!, state.now));
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
      const fmt = (cells: string[], status?: Style): string =>
        cells
          .map((c, i) => {
            const padded = i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
            return i === 1 && status ? paint(status, padded) : padded;
          })
          .join('  ')
          .trimEnd();
      out.push(paint('bold', fmt(header)));
      for (const r of rows) out.push(fmt(r.cells, r.style));
      // the table cuts long reasons; the whole first line of each error is what the user needs
      for (const name of state.order) {
        const n = state.nodes[name]!;
        const message = n.phase === 'failed' && !n.interrupted ? firstLine(n.error ?? n.reason) : '';
        if (message.length > REASON_WIDTH) out.push(paint('red', `error in ${name}: ${message}`));
      }

      const skipped = runDone.skippedFiles ?? [];
      if (skipped.length > 0) {
        out.push(paint('yellow', `skipped files (${skipped.length}):`));
        for (const f of skipped) out.push(`  ${f.path}: ${f.reason}`);
      }
      if (state.warningCount > 0) out.push(paint('yellow', `${state.warningCount} warning${state.warningCount === 1 ? '' : 's'}`));
      if (state.outputs.length > 0) {
        out.push('outputs:');
        for (const o of listedOutputs(state.outputs)) out.push(`  ${o.path}`);
      }
      return out;
    },
  };
}

const REASON_WIDTH = 60;

const STATUS_STYLE: Record<string, Style> = { computed: 'green', cached: 'cyan', failed: 'red', skipped: 'gray' };

function summaryRow(n: NodeView, now: number): { cells: string[]; style?: Style } {
  let reason: string;
  if (n.interrupted) reason = 'run stopped while it ran';
  else if (n.phase === 'failed') reason = truncate(firstLine(n.error ?? n.reason), REASON_WIDTH);
  else if (n.phase === 'skipped') reason = n.because ?? n.reason;
  else if (n.phase === 'cached') reason = n.reason && n.reason !== 'cached' ? n.reason : '-';
  else reason = describeReason(n.reason) + (n.outputUnchanged ? ', output unchanged' : '');
  const eventLevel = isEventLevel(n);
  const cached = cachedChunks(n);
  const chunks = eventLevel ? `${chunksDone(n)}${cached > 0 ? ` (${cached} cached)` : ''}` : '-';
  const events = eventLevel ? formatCount(eventsOf(n)) : '-';
  // A cache hit or a skipped node took no time worth a number.
  const seconds = n.phase === 'cached' || n.phase === 'skipped' ? undefined : elapsedOf(n, now);
  const style: Style | undefined = n.interrupted ? 'yellow' : STATUS_STYLE[n.phase];
  const cpu = cpuOf(n);
  const cells = [n.name, n.interrupted ? 'interrupted' : n.phase, reason || '-', chunks, events, seconds === undefined ? '-' : formatSeconds(seconds), cpu === undefined ? '-' : formatSeconds(cpu)];
  return { cells, ...(style ? { style } : {}) };
}

export interface PlainOptions {
  color?: boolean;
  /** After this long without a line while nodes run, say which (CI services kill silent jobs). */
  heartbeatSeconds?: number;
}

export function attachPlain(events$: Observable<RunEvent>, out: Writable, opts: PlainOptions = {}): { done: Promise<void> } {
  const writer = new LineWriter(out);
  const formatter = createPlainFormatter(opts);
  const heartbeatMs = (opts.heartbeatSeconds ?? 60) * 1000;
  let state: RunState | undefined;
  let lastEventWall = performance.now();
  let lastLineWall = lastEventWall;
  const timer = setInterval(() => {
    const wall = performance.now();
    if (!state || wall - lastLineWall < heartbeatMs) return;
    lastLineWall = wall;
    for (const line of formatter.heartbeat(state, state.now + (wall - lastEventWall))) writer.line(line);
  }, Math.min(heartbeatMs, 5000));
  timer.unref();
  const { done } = followRun(events$, {
    event(event, next, prev) {
      state = next;
      lastEventWall = performance.now();
      for (const line of formatter.lines(event, next, prev)) {
        writer.line(line.trimEnd());
        lastLineWall = lastEventWall;
      }
    },
    async end(end) {
      clearInterval(timer);
      for (const line of formatter.summary(end)) writer.line(line);
      await writer.flush();
    },
  });
  return { done };
}

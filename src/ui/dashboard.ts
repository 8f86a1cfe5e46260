// The live Ink dashboard (default on a TTY). State lives outside React in the reducer; a timer
// re-renders at most `fps` times a second, so the cost does not grow with the chunk-event rate.
// No JSX (Node's type stripping does not transform it): elements are built with `h`.
import { workersLine } from './workers-line.ts';
import { Box, Static, Text, render, renderToString, useApp, useStdout, type Instance } from 'ink';
import React, { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import type { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';
import { followRun } from './follow.ts';
import { describeReason, firstLine, formatBytes, formatCount, formatRate, formatRead, formatSeconds, formatWorkers, padLeft, padRight, truncate } from './format.ts';
import { cachedChunks, chunkCpu, elapsedOf, eventsOf, isEventLevel, isFinal, progressOf, rateOf, runEta, runRate, totals } from './figures.ts';
import { initialState, type NodePhase, type NodeView, type RunState } from './state.ts';
import { listedOutputs } from './outputs.ts';

const h = React.createElement;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICON: Record<NodePhase, string> = { pending: '·', queued: '○', running: '', cached: '●', computed: '✔', failed: '✖', skipped: '–' };
const COLOR: Record<NodePhase, string | undefined> = {
  pending: 'gray', queued: 'gray', running: 'yellow', cached: 'cyan', computed: 'green', failed: 'red', skipped: 'gray',
};
const SHOW_WARNINGS = 3;
/** Skipped files and outputs listed in the summary (the rest counted). */
const MAX_LISTED = 8;
const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

// ---- layout ----

interface Layout {
  readonly name: number;
  /** 0: column hidden (narrow terminal). */
  readonly kind: number;
  readonly bar: number;
  readonly count: number;
  readonly events: number;
  readonly rate: number;
  readonly cached: number;
  readonly time: number;
  /** Width of the area between kind and time: bar and figure columns with their gaps. */
  readonly middle: number;
}

function computeLayout(state: RunState, columns: number): Layout {
  const nodes = state.order.map((n) => state.nodes[n]!);
  let name = Math.min(24, Math.max(8, ...nodes.map((n) => n.name.length)));
  let kind = Math.min(15, Math.max(4, ...nodes.map((n) => n.kind.length)));
  const maxTotal = Math.max(0, ...nodes.map((n) => progressOf(n)?.total ?? 0));
  const count = Math.max(6, 2 * String(maxTotal).length + 1);
  let events = 7;
  let rate = 9;
  let cached = count; // 'cached/total', as wide as the chunks column
  const time = 7;
  const width = (): number => 2 + name + 1 + (kind ? kind + 1 : 0) + 1 + count + (events ? events + 1 : 0) + (rate ? rate + 1 : 0) + (cached ? cached + 1 : 0) + 1 + time;
  // Keep one column free: writing the last column makes some terminals wrap.
  const avail = columns - 1;
  const minBar = 10;
  while (kind > 9 && avail - width() < minBar + 16) kind--;
  // The kind column only when the status text ("done · params changed") still fits beside it.
  if (avail - width() < 22) kind = 0;
  if (avail - width() < minBar) name = Math.max(8, name - (minBar - (avail - width())));
  if (avail - width() < minBar) cached = 0;
  if (avail - width() < minBar) rate = 0;
  if (avail - width() < minBar) events = 0;
  const bar = Math.max(4, Math.min(40, avail - width()));
  const middle = bar + 1 + count + (events ? events + 1 : 0) + (rate ? rate + 1 : 0) + (cached ? cached + 1 : 0);
  return { name, kind, bar, count, events, rate, cached, time, middle };
}

function progressBar(done: number, total: number, width: number): { filled: string; rest: string } {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const eighths = Math.round(frac * width * 8);
  const full = Math.floor(eighths / 8);
  const filled = '█'.repeat(full) + PARTIAL[eighths % 8]!;
  return { filled, rest: '░'.repeat(Math.max(0, width - filled.length)) };
}

// ---- rows ----

function statusText(n: NodeView): string {
  switch (n.phase) {
    case 'pending': return 'waiting';
    case 'queued': return 'queued';
    case 'running': return 'running…';
    case 'cached': return 'cached';
    case 'computed': return ['done', n.reason && n.reason !== 'cached' ? describeReason(n.reason) : '', n.outputUnchanged ? 'output unchanged' : ''].filter(Boolean).join(' · ');
    case 'failed': return n.interrupted ? 'interrupted' : 'failed';
    case 'skipped': return `skipped: ${n.because ?? n.reason}`;
  }
}

function nodeRow(n: NodeView, L: Layout, now: number, frame: number, columns: number): ReactNode[] {
  const color = n.interrupted ? 'yellow' : COLOR[n.phase];
  const icon = n.phase === 'running' ? SPINNER[frame % SPINNER.length]! : n.interrupted ? '■' : ICON[n.phase];
  const p = progressOf(n);
  const eventLevel = isEventLevel(n);
  const elapsed = elapsedOf(n, now);
  const parts: ReactNode[] = [
    h(Text, { key: 'i', color }, icon + ' '),
    h(Text, { key: 'n', bold: n.phase === 'running' }, padRight(n.name, L.name) + ' '),
  ];
  if (L.kind) parts.push(h(Text, { key: 'k', dimColor: true }, padRight(n.kind, L.kind) + ' '));

  const figures: string[] = [];
  if (p) figures.push(padLeft(`${p.done}/${p.total}`, L.count));
  else figures.push(' '.repeat(L.count));
  if (L.events) figures.push(padLeft(eventLevel ? formatCount(eventsOf(n)) : p && p.unit !== 'chunks' ? p.unit : '', L.events));
  if (L.rate) figures.push(padLeft(eventLevel ? formatRate(rateOf(n)) : '', L.rate));
  if (L.cached) {
    const c = cachedChunks(n);
    figures.push(padLeft(eventLevel && c > 0 ? (p ? `${c}/${p.total}` : String(c)) : '', L.cached));
  }
  const figureText = figures.join(' ');
  const showFigures = p !== undefined || eventLevel;

  if (n.phase === 'running' && p) {
    const bar = progressBar(p.done + (p.partial ?? 0), p.total, L.bar);
    parts.push(h(Text, { key: 'b', color: 'blue' }, bar.filled), h(Text, { key: 'r', color: 'gray' }, bar.rest + ' '));
    parts.push(h(Text, { key: 'f' }, figureText + ' '));
  } else if (showFigures && n.phase !== 'skipped') {
    parts.push(h(Text, { key: 's', color }, padRight(statusText(n), L.bar) + ' '));
    parts.push(h(Text, { key: 'f', dimColor: isFinal(n) }, figureText + ' '));
  } else {
    parts.push(h(Text, { key: 's', color, dimColor: n.phase === 'pending' }, padRight(statusText(n), L.middle) + ' '));
  }
  const time = elapsed === undefined || n.phase === 'cached' || n.phase === 'skipped' ? '' : formatSeconds(elapsed);
  parts.push(h(Text, { key: 't', dimColor: isFinal(n) }, padLeft(time, L.time)));

  const lines: ReactNode[] = [h(Text, { key: n.name, wrap: 'truncate' }, ...parts)];
  if (n.phase === 'failed' && n.error && !n.interrupted) {
    lines.push(h(Text, { key: `${n.name}!`, color: 'red', wrap: 'truncate' }, truncate(`  ↳ ${firstLine(n.error)}`, columns - 1)));
  }
  return lines;
}

function headerRow(L: Layout, middle: string): ReactNode {
  const cells = ['  ' + padRight('node', L.name), L.kind ? padRight('kind', L.kind) : null, padRight(middle, L.bar),
    padLeft('chunks', L.count), L.events ? padLeft('events', L.events) : null, L.rate ? padLeft('rate', L.rate) : null,
    L.cached ? padLeft('cached', L.cached) : null, padLeft('time', L.time)];
  return h(Text, { key: 'hdr', dimColor: true, wrap: 'truncate' }, cells.filter((c) => c !== null).join(' '));
}

const errorLines = (n: NodeView): number => (n.phase === 'failed' && n.error && !n.interrupted ? 1 : 0);

interface Visible {
  readonly shown: NodeView[];
  /** Hidden nodes by what they are doing. */
  readonly hidden: { finished: number; running: number; waiting: number; failed: number };
}

/** Which nodes get a row when the terminal is too short: failed and running ones first, then the
 *  next waiting ones, then the most recently finished. A live frame as tall as the terminal would
 *  make Ink clear the screen on every frame. */
function visibleNodes(state: RunState, maxRows: number | undefined): Visible {
  const all = state.order.map((n) => state.nodes[n]!);
  const hidden = { finished: 0, running: 0, waiting: 0, failed: 0 };
  const need = all.reduce((sum, n) => sum + 1 + errorLines(n), 0);
  if (maxRows === undefined || state.finished || need <= maxRows) return { shown: all, hidden };
  const budget = maxRows - 1; // the "… more nodes" line
  const ranked = [
    ...all.filter((n) => n.phase === 'failed'),
    ...all.filter((n) => n.phase === 'running'),
    ...all.filter((n) => n.phase === 'pending' || n.phase === 'queued'),
    ...all.filter((n) => n.phase === 'cached' || n.phase === 'computed' || n.phase === 'skipped').reverse(),
  ];
  const picked = new Set<NodeView>();
  let used = 0;
  for (const n of ranked) {
    const cost = 1 + errorLines(n);
    if (used + cost > budget) continue;
    picked.add(n);
    used += cost;
  }
  for (const n of all) {
    if (picked.has(n)) continue;
    if (n.phase === 'failed') hidden.failed++;
    else if (n.phase === 'running') hidden.running++;
    else if (n.phase === 'pending' || n.phase === 'queued') hidden.waiting++;
    else hidden.finished++;
  }
  return { shown: all.filter((n) => picked.has(n)), hidden };
}

// ---- the frame ----

export interface DashboardProps {
  readonly state: RunState;
  /** Current time on the event clock (ms). */
  readonly now: number;
  readonly columns: number;
  /** Terminal height; rows beyond it are collapsed while the run is live. */
  readonly rows?: number;
  /** Spinner frame. */
  readonly frame?: number;
}

/** One frame of the dashboard, a pure function of the run state. */
export function Dashboard(props: DashboardProps): ReactElement {
  const { state, now, columns } = props;
  const frame = props.frame ?? 0;
  if (state.startT === undefined && !state.finished) {
    return h(Text, null, h(Text, { bold: true, color: 'magenta' }, 'hepflow '), h(Text, { dimColor: true }, 'starting…'));
  }
  const L = computeLayout(state, columns);
  const tot = totals(state);
  const elapsed = state.finished ? state.finished.seconds : state.startT === undefined ? 0 : (now - state.startT) / 1000;
  const children: ReactNode[] = [];

  const cache = state.cacheDir === null ? 'no cache' : `cache ${state.cacheDir}`;
  children.push(h(Text, { key: 'title', wrap: 'truncate' },
    h(Text, { bold: true, color: 'magenta' }, 'hepflow '),
    h(Text, { bold: true }, state.graph || '…'),
    h(Text, null, `  ${formatSeconds(elapsed)}`),
    h(Text, { dimColor: true }, `  ·  ${state.file}  ·  ${formatWorkers(state.workers)}  ·  ${cache}`)));
  const wl = workersLine(state, now);
  if (wl) children.push(h(Text, { key: 'workers', dimColor: true, wrap: 'truncate' }, truncate(wl, columns - 1)));
  children.push(headerRow(L, state.finished ? 'status' : 'progress'));

  // Header (2), gap and status (2), warnings, last log, and one spare: Ink needs the frame shorter than the terminal.
  const reserved = 2 + 2 + (wl ? 1 : 0) + Math.min(SHOW_WARNINGS + 1, state.warningCount) + (state.lastLog ? 1 : 0) + 1;
  const { shown, hidden } = visibleNodes(state, props.rows === undefined ? undefined : props.rows - reserved);
  for (const n of shown) children.push(...nodeRow(n, L, now, frame, columns));
  const hiddenTotal = hidden.finished + hidden.running + hidden.waiting + hidden.failed;
  if (hiddenTotal > 0) {
    const what = (['running', 'failed', 'waiting', 'finished'] as const).filter((k) => hidden[k] > 0).map((k) => `${hidden[k]} ${k}`);
    children.push(h(Text, { key: 'hidden', dimColor: true, wrap: 'truncate' }, `  … ${hiddenTotal} more node${hiddenTotal === 1 ? '' : 's'} not shown (${what.join(', ')})`));
  }

  if (state.warningCount > 0) {
    const shownWarnings = state.warnings.slice(-SHOW_WARNINGS);
    if (state.warningCount > shownWarnings.length) {
      children.push(h(Text, { key: 'wmore', color: 'yellow', dimColor: true }, `  … ${state.warningCount - shownWarnings.length} earlier warning(s)`));
    }
    shownWarnings.forEach((w, i) => {
      children.push(h(Text, { key: `w${i}`, color: 'yellow', wrap: 'truncate' }, truncate(`⚠ ${w.node ? `${w.node}: ` : ''}${firstLine(w.message)}`, columns - 1)));
    });
  }
  if (state.lastLog && !state.finished) {
    const l = state.lastLog;
    children.push(h(Text, { key: 'log', dimColor: true, wrap: 'truncate' }, truncate(`  ${l.node ? `${l.node}: ` : ''}${firstLine(l.message)}`, columns - 1)));
  }

  children.push(h(Text, { key: 'gap' }, ' '));
  if (state.finished) children.push(...summaryLines(state, tot, columns));
  else {
    const rate = runRate(state);
    const doneNodes = tot.computed + tot.cached + tot.skipped + tot.failed;
    const bits = [`${doneNodes}/${tot.nodes} nodes finished`, `${tot.running} running`];
    if (tot.cached) bits.push(`${tot.cached} cached`);
    if (tot.failed) bits.push(`${tot.failed} failed`);
    if (tot.events) bits.push(`${formatCount(tot.events)} events`);
    if (rate > 0) bits.push(formatRate(rate));
    if (state.readBytes) bits.push(`${formatBytes(state.readBytes)} read`);
    const eta = runEta(state);
    if (eta !== undefined) bits.push(`ETA ${formatSeconds(eta)}`);
    children.push(h(Text, { key: 'status', wrap: 'truncate' }, bits.join('  ·  ')));
  }
  // One column short of the terminal: writing the last column makes some terminals wrap.
  return h(Box, { flexDirection: 'column', width: columns - 1 }, ...children);
}

function summaryLines(state: RunState, tot: ReturnType<typeof totals>, columns: number): ReactNode[] {
  const f = state.finished!;
  const lines: ReactNode[] = [];
  const counts: ReactNode[] = [h(Text, { key: 'c' }, `  ·  ${tot.computed} computed  ·  ${tot.cached} cached`)];
  if (tot.failed) counts.push(h(Text, { key: 'f', color: 'red' }, `  ·  ${tot.failed} failed`));
  if (tot.interrupted) counts.push(h(Text, { key: 'i', color: 'yellow' }, `  ·  ${tot.interrupted} interrupted`));
  if (tot.skipped) counts.push(h(Text, { key: 's', color: 'gray' }, `  ·  ${tot.skipped} skipped`));
  lines.push(h(Text, { key: 'sum', wrap: 'truncate' },
    h(Text, { bold: true, color: f.ok ? 'green' : f.interrupted ? 'yellow' : 'red' }, f.ok ? '✔ run finished' : f.interrupted ? '■ run interrupted' : '✖ run failed'),
    h(Text, { bold: true }, ` in ${formatSeconds(f.seconds)}`), ...counts));
  if (tot.events > 0 || tot.chunks > 0) {
    const bits = [];
    // with every chunk from the cache no event was read: the count is what the results cover
    const allCached = tot.chunks > 0 && tot.cachedChunks === tot.chunks;
    if (tot.events > 0) bits.push(`${formatCount(tot.events)} events${allCached ? '' : ' read'}`);
    if (tot.chunks > 0) bits.push(`cache hits ${tot.cachedChunks}/${tot.chunks} chunk results`);
    const cpu = chunkCpu(state);
    if (cpu > 0) bits.push(`chunk CPU ${formatSeconds(cpu)}`);
    lines.push(h(Text, { key: 'ev', wrap: 'truncate' }, `  ${bits.join('  ·  ')}`));
  }
  if (f.read) lines.push(h(Text, { key: 'io', wrap: 'truncate' }, `  ${formatRead(f.read)}`));
  if (f.interrupted) lines.push(h(Text, { key: 'int', color: 'yellow' }, '  finished chunks are cached: run again to resume'));
  if (f.error) lines.push(h(Text, { key: 'err', color: 'red', wrap: 'truncate' }, truncate(`  the run ended with an error: ${firstLine(f.error)}`, columns - 1)));
  for (const name of state.order) {
    const n = state.nodes[name]!;
    if (n.phase === 'failed' && !n.interrupted) {
      lines.push(h(Box, { key: `fail-${name}`, paddingLeft: 2 }, h(Text, { color: 'red', wrap: 'wrap' }, `${name}: ${firstLine(n.error ?? n.reason)}`)));
    }
  }
  if (f.skippedFiles.length > 0) {
    lines.push(h(Text, { key: 'skh', color: 'yellow' }, `  ${f.skippedFiles.length} file${f.skippedFiles.length === 1 ? '' : 's'} skipped:`));
    f.skippedFiles.slice(0, MAX_LISTED).forEach((s, i) => {
      lines.push(h(Text, { key: `sk${i}`, color: 'yellow', wrap: 'truncate' }, truncate(`    ${s.path}: ${s.reason}`, columns - 1)));
    });
    if (f.skippedFiles.length > MAX_LISTED) lines.push(h(Text, { key: 'skm', color: 'yellow' }, `    … and ${f.skippedFiles.length - MAX_LISTED} more`));
  }
  if (state.outputs.length > 0) {
    lines.push(h(Text, { key: 'outs' }, '  outputs:'));
    listedOutputs(state.outputs).slice(0, MAX_LISTED).forEach((o, i) => {
      lines.push(h(Text, { key: `out${i}`, dimColor: true, wrap: 'truncate' }, truncate(`    ${o.path}`, columns - 1)));
    });
    if (state.outputs.length > MAX_LISTED) lines.push(h(Text, { key: 'outm', dimColor: true }, `    … and ${state.outputs.length - MAX_LISTED} more`));
  }
  return lines;
}

// ---- live ----

export interface LiveDashboardProps {
  readonly events$: Observable<RunEvent>;
  /** Frames per second at most (default 10). */
  readonly fps?: number;
  /** Takes the final frame instead of drawing it: the live area is cleared and the app exits, and
   *  the caller prints the frame once (attachDashboard). Without it the final frame is <Static>. */
  readonly onFinal?: (final: DashboardProps) => void;
}

/** Subscribes to the stream, renders at most `fps` frames a second, and exits the Ink app once the
 *  final summary has been rendered. */
export function LiveDashboard(props: LiveDashboardProps): ReactElement | null {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const store = useRef({ state: initialState(), wallAtEvent: performance.now(), dirty: true, finished: false });
  const [, setTick] = useState(0);
  const [finished, setFinished] = useState(false);

  useEffect(() => {
    const s = store.current;
    const follow = followRun(props.events$, {
      event(_e, next) {
        s.state = next;
        s.wallAtEvent = performance.now();
        s.dirty = true;
      },
      end({ state }) {
        s.state = state;
        s.finished = true;
        setFinished(true);
      },
    });
    const timer = setInterval(() => {
      if (s.dirty || s.state.order.some((n) => s.state.nodes[n]!.phase === 'running')) {
        s.dirty = false;
        setTick((x) => x + 1);
      }
    }, 1000 / (props.fps ?? 10));
    return () => {
      clearInterval(timer);
      follow.unsubscribe();
    };
  }, [props.events$, props.fps]);

  useEffect(() => {
    // Runs after the summary frame is committed, so it is the frame left on screen.
    if (finished) exit();
  }, [finished, exit]);
  const handedOver = useRef(false);

  const s = store.current;
  const wall = performance.now();
  const now = s.finished ? s.state.now : s.state.now + (wall - s.wallAtEvent);
  const rows = (stdout as { rows?: number }).rows;
  const frameProps: DashboardProps = { state: s.state, now, columns: stdout.columns || 80, frame: Math.floor(wall / 80), ...(rows ? { rows } : {}) };
  // The final frame goes out as static output: it may be taller than the terminal (a live frame
  // that tall makes Ink clear the screen and the scrollback) and stays above the prompt.
  if (s.finished && props.onFinal) {
    if (!handedOver.current) props.onFinal(frameProps);
    handedOver.current = true;
    return null;
  }
  if (s.finished) return h(Static<DashboardProps>, { items: [frameProps], children: (p) => h(Dashboard, { ...p, key: 'final' }) });
  return h(Dashboard, frameProps);
}

export function attachDashboard(
  events$: Observable<RunEvent>,
  opts: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream; fps?: number } = {},
): { done: Promise<void>; instance: Instance } {
  const fps = opts.fps ?? 10;
  const stdout = opts.stdout ?? process.stdout;
  let final: DashboardProps | undefined;
  const onFinal = (f: DashboardProps): void => {
    final = f;
  };
  const instance = render(h(LiveDashboard, { events$, fps, onFinal }), {
    stdout,
    stderr: opts.stderr ?? process.stderr,
    // Ctrl-C belongs to the engine (clean stop, resumable); the dashboard never reads stdin.
    exitOnCtrlC: false,
    patchConsole: true,
    maxFps: fps,
  });
  // The final frame is written once, after Ink has let go of the terminal: as Ink's own <Static>
  // it was printed twice in about one run in three (a throttled render flushed at exit drew the
  // static children again), and a live frame that tall would make Ink clear the scrollback.
  const done = instance.waitUntilExit().then(() => {
    if (final) stdout.write(`${renderToString(h(Dashboard, final), { columns: final.columns })}\n`);
  });
  return { done, instance };
}

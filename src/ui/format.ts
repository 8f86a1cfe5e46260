// Human units shared by the three run UIs: counts (1.2M), rates (850 kHz), durations (3.4 s),
// bytes, fixed-width cells, recompute reasons. Pure string functions, no colour.
import type { RecomputeReason } from '../engine/events.ts';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** Three significant digits with an SI prefix: 812, 12.3k, 3.1M (one decimal below 100). */
function si(value: number): { text: string; prefix: string } {
  if (!Number.isFinite(value)) return { text: '-', prefix: '' };
  let v = Math.abs(value);
  let i = 0;
  // Round first so 999.96k becomes 1.0M rather than "1000k".
  while (i < SI.length - 1 && Math.round(v * 10) / 10 >= 1000) {
    v /= 1000;
    i++;
  }
  const sign = value < 0 ? '-' : '';
  const digits = i === 0 && Number.isInteger(value) ? 0 : v < 100 ? 1 : 0;
  return { text: sign + v.toFixed(digits), prefix: SI[i]! };
}

/** 812, 12.3k, 3.1M, 1.2G (event counts). */
export function formatCount(n: number): string {
  const { text, prefix } = si(n);
  return text + prefix;
}

/** Events per second as a frequency: 812 Hz, 85.3 kHz, 2.4 MHz. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '';
  const { text, prefix } = si(perSecond);
  return `${text} ${prefix}Hz`;
}

/** 0.35 s, 3.4 s, 59.9 s, 2m05s, 1h02m. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '';
  if (s < 10) return `${s.toFixed(s < 1 ? 2 : 1)} s`;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const sec = Math.floor(s - m * 60);
    return `${m}m${String(sec).padStart(2, '0')}s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${h}h${String(m).padStart(2, '0')}m`;
}

/** 512 B, 12.3 kB, 1.2 GB (decimal units, as disk tools print). */
export function formatBytes(n: number): string {
  const { text, prefix } = si(n);
  return `${text} ${prefix}B`;
}

/** "read 12.3 MB in 45 requests (4.1% of 300 MB of input files)". */
export function formatRead(r: { bytes: number; requests: number; fileBytes?: number; fraction?: number }): string {
  const of = r.fraction !== undefined && r.fileBytes ? ` (${(100 * r.fraction).toPrecision(2)}% of ${formatBytes(r.fileBytes)} of input files)` : '';
  return `read ${formatBytes(r.bytes)} in ${r.requests} request${r.requests === 1 ? '' : 's'}${of}`;
}

/** Cut to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : text.slice(0, width - 1) + '…';
}

export function padRight(text: string, width: number): string {
  return truncate(text, width).padEnd(width);
}

export function padLeft(text: string, width: number): string {
  return truncate(text, width).padStart(width);
}

/** First line of a (possibly multi-line, stack-carrying) error message. */
/** `--workers 0` runs every chunk in the main thread: say that rather than "0 workers". */
export function formatWorkers(n: number): string {
  return n === 0 ? 'main thread' : `${n} worker${n === 1 ? '' : 's'}`;
}

export function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

const REASON_TEXT: Record<RecomputeReason, string> = {
  new: 'not in cache',
  params: 'params changed',
  code: 'code changed',
  input: 'input changed',
  version: 'kind version changed',
  forced: 'forced',
  'no-cache': 'cache disabled',
  corrupt: 'cache entry corrupt',
};

/** Why a node was recomputed, in words; reasons the engine invents pass through unchanged. */
export function describeReason(reason: string): string {
  return (REASON_TEXT as Record<string, string>)[reason] ?? reason;
}

// Byte-range sources: where a ROOT file's bytes come from (local file or HTTP range requests).
import { UserError } from '../../errors.ts';
import { countRead } from '../../read-counter.ts';

export interface ByteRange {
  offset: number;
  length: number;
}

export interface ByteSource {
  /** The path or URL, for messages. */
  readonly name: string;
  size(): Promise<number>;
  /** One buffer per requested range, in request order. */
  read(ranges: ByteRange[]): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

export interface SourceOptions {
  /** HTTP, XRootD: attempts after the first on network errors, timeouts and 5xx / transient
   *  server errors (default 3). */
  retries?: number;
  /** HTTP, XRootD: per-request timeout in milliseconds (default 30000). */
  timeoutMs?: number;
}

/** Groups ranges whose gaps are at most `maxGap` bytes into spans read in one call, a span
 *  growing no longer than `maxSpan` bytes (a single larger range stays whole); `members` indexes
 *  the original ranges, so callers slice each span back into the requested pieces. */
export function coalesceRanges(ranges: ByteRange[], maxGap: number, maxSpan = Infinity): Array<{ offset: number; length: number; members: number[] }> {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
  const spans: Array<{ offset: number; length: number; members: number[] }> = [];
  let cur: { offset: number; length: number; members: number[] } | undefined;
  for (const i of order) {
    const r = ranges[i]!;
    if (cur && r.offset <= cur.offset + cur.length + maxGap && r.offset + r.length - cur.offset <= maxSpan) {
      cur.length = Math.max(cur.length, r.offset + r.length - cur.offset);
      cur.members.push(i);
    } else {
      cur = { offset: r.offset, length: r.length, members: [i] };
      spans.push(cur);
    }
  }
  return spans;
}

/** Reads coalesced spans with `readSpan` and slices them back into the requested ranges. */
export async function readCoalesced(
  ranges: ByteRange[], maxGap: number, concurrency: number,
  readSpan: (offset: number, length: number) => Promise<Uint8Array>, maxSpan = Infinity,
): Promise<Uint8Array[]> {
  const spans = coalesceRanges(ranges, maxGap, maxSpan);
  const out = new Array<Uint8Array>(ranges.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < spans.length) {
      const span = spans[next++]!;
      const bytes = await readSpan(span.offset, span.length);
      countRead(span.length, 1);
      for (const i of span.members) {
        const r = ranges[i]!;
        out[i] = bytes.subarray(r.offset - span.offset, r.offset - span.offset + r.length);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, spans.length) }, worker));
  return out;
}

/** Opens a local path, file:// URL, http(s):// URL or root:// (XRootD) URL. */
export async function openSource(location: string, opts: SourceOptions = {}): Promise<ByteSource> {
  if (/^x?roots?:\/\//i.test(location)) {
    const { XrootdSource } = await import('./source-xrootd.ts');
    return XrootdSource.open(location, opts);
  }
  if (/^https?:\/\//i.test(location)) {
    const { HttpSource } = await import('./source-http.ts');
    return HttpSource.open(location, opts);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^file:\/\//i.test(location)) {
    throw new UserError(`${location}: unsupported URL scheme (use a local path, https:// or root://)`);
  }
  const { LocalSource } = await import('./source-local.ts');
  return LocalSource.open(location.replace(/^file:\/\//i, ''));
}

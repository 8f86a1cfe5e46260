// Coalescing byte ranges into fewer, larger reads (as uproot's source/coalesce.py): the sources
// (source-local.ts, source-http.ts, source-xrootd.ts) share it; it knows none of them.
import { countRead } from '../../read-counter.ts';
import type { ByteRange } from './byte-source.ts';

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

// The one event filter of the column contract: keeps whole entries of flat, jagged and fixed-size
// columns alike, in their own dtype. Used by skim (`where`, `mask`), select (`keep`) and
// Events.filter, so a fixed-size array keeps its values per event everywhere.
import { isJagged, itemsPerEntry, type EventColumn, type EventColumnBatch, type NumericArray } from '../columns.ts';

type Keep = ArrayLike<number | boolean>;

export function countKept(keep: Keep): number {
  let count = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) count++;
  return count;
}

const alloc = (like: NumericArray, n: number): NumericArray => new (like.constructor as new (n: number) => NumericArray)(n);

/** Entries i with keep[i] set; `count` = countKept(keep). */
export function filterColumn(c: EventColumn, keep: Keep, count: number, name = '?'): EventColumn {
  const n = keep.length;
  if (ArrayBuffer.isView(c)) {
    // an implicit width (entries * n values in a flat array) would be filtered value by value
    if (c.length !== n) throw new RangeError(`column '${name}': ${c.length} values for ${n} entries (fixed-size arrays are { shape, content } columns)`);
    const out = alloc(c, count);
    for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = c[i]! as never;
    return out;
  }
  if (isJagged(c)) {
    const offsets = new Int32Array(count + 1);
    let total = 0;
    for (let i = 0, j = 0; i < n; i++) if (keep[i]) offsets[++j] = total += c.offsets[i + 1]! - c.offsets[i]!;
    const content = alloc(c.content, total);
    for (let i = 0, j = 0; i < n; i++) {
      if (!keep[i]) continue;
      for (let k = c.offsets[i]!; k < c.offsets[i + 1]!; k++) content[j++] = c.content[k]! as never;
    }
    return { offsets, content };
  }
  const w = itemsPerEntry(c.shape);
  const content = alloc(c.content, count * w);
  for (let i = 0, j = 0; i < n; i++) {
    if (!keep[i]) continue;
    for (let k = i * w; k < (i + 1) * w; k++) content[j++] = c.content[k]! as never;
  }
  return { shape: c.shape, content };
}

/** The batch's entries where keep is set (the batch itself when all are). */
export function filterBatch(b: EventColumnBatch, keep: Keep): EventColumnBatch {
  if (keep.length !== b.entries) throw new RangeError(`event mask has ${keep.length} entries, the chunk has ${b.entries}`);
  const count = countKept(keep);
  if (count === b.entries) return b;
  const columns: Record<string, EventColumn> = {};
  for (const [name, c] of Object.entries(b.columns)) columns[name] = filterColumn(c, keep, count, name);
  return { entries: count, columns };
}

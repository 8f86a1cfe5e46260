// Keep the events of a ColumnBatch where mask is set (flat and jagged columns).
import { isJagged, type Column, type ColumnBatch, type NumericArray } from '../columns.ts';

export function filterColumns(b: ColumnBatch, keep: ArrayLike<number>): ColumnBatch {
  const n = b.entries;
  if (keep.length !== n) throw new Error(`event mask has ${keep.length} entries, the chunk has ${n}`);
  let count = 0;
  for (let i = 0; i < n; i++) if (keep[i]) count++;
  if (count === n) return b;
  const columns: Record<string, Column> = {};
  for (const [name, c] of Object.entries(b.columns)) {
    if (isJagged(c)) {
      const offsets = new Int32Array(count + 1);
      let total = 0, j = 0;
      for (let i = 0; i < n; i++) if (keep[i]) offsets[++j] = total += c.offsets[i + 1] - c.offsets[i];
      const content = new (c.content.constructor as new (n: number) => NumericArray)(total);
      j = 0;
      for (let i = 0; i < n; i++) if (keep[i]) content.set(c.content.subarray(c.offsets[i], c.offsets[i + 1]) as never, offsets[j++]);
      columns[name] = { offsets, content };
    } else {
      const out = new (c.constructor as new (n: number) => NumericArray)(count);
      let j = 0;
      for (let i = 0; i < n; i++) if (keep[i]) out[j++] = c[i] as never;
      columns[name] = out;
    }
  }
  return { entries: count, columns };
}

// Cache codecs: how node outputs become bytes. EventBatch -> one Arrow IPC stream (List columns for
// jagged, FixedSizeList for fixed-size arrays with the shape in the field metadata, batch meta in
// the schema metadata); anything else -> JSON with typed arrays split out as
// raw payloads (histogram storages stay binary and exact).
import { createRequire } from 'node:module';
import type * as ArrowNs from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import type { EventColumn, NumericArray } from '../columns.ts';
import { isJagged, itemsPerEntry } from '../columns.ts';
import type { Codec, EventBatch } from './node-kind.ts';

// apache-arrow costs ~100 ms to import: load it on first use (workers, cache misses), never on a
// no-change re-run.
const require = createRequire(import.meta.url);
let arrowNs: typeof ArrowNs | undefined;
const arrow = (): typeof ArrowNs => (arrowNs ??= require('apache-arrow') as typeof ArrowNs);

function arrowType(a: NumericArray): DataType {
  const { Float64, Float32, Int32, Uint8, Int8, Int16, Uint16, Uint32, Int64, Uint64 } = arrow();
  if (a instanceof Float64Array) return new Float64();
  if (a instanceof Float32Array) return new Float32();
  if (a instanceof Int32Array) return new Int32();
  if (a instanceof Uint8Array) return new Uint8();
  if (a instanceof Int8Array) return new Int8();
  if (a instanceof Int16Array) return new Int16();
  if (a instanceof Uint16Array) return new Uint16();
  if (a instanceof Uint32Array) return new Uint32();
  if (a instanceof BigInt64Array) return new Int64();
  if (a instanceof BigUint64Array) return new Uint64();
  throw new TypeError(`unsupported column array ${(a as object).constructor.name}`);
}

const SHAPE_KEY = 'hepflow.shape';

function columnData(c: EventColumn, entries: number, name: string) {
  const { makeData, List, FixedSizeList, Field } = arrow();
  if (isJagged(c)) {
    if (c.offsets.length !== entries + 1) throw new RangeError(`column '${name}': ${c.offsets.length} offsets for ${entries} entries`);
    const n = c.offsets[entries]!;
    const child = makeData({ type: arrowType(c.content), length: n, data: c.content.subarray(0, n) } as never) as ArrowNs.Data;
    return makeData({ type: new List(new Field('item', child.type, false)), length: entries, nullCount: 0, valueOffsets: c.offsets, child } as never) as ArrowNs.Data;
  }
  if (!ArrayBuffer.isView(c)) {
    const n = itemsPerEntry(c.shape);
    if (c.content.length !== entries * n) throw new RangeError(`column '${name}': ${c.content.length} values for ${entries} entries of shape [${c.shape.join(', ')}]`);
    const child = makeData({ type: arrowType(c.content), length: entries * n, data: c.content } as never) as ArrowNs.Data;
    return makeData({ type: new FixedSizeList(n, new Field('item', child.type, false)), length: entries, nullCount: 0, child } as never) as ArrowNs.Data;
  }
  if (c.length !== entries) throw new RangeError(`column '${name}': ${c.length} values for ${entries} entries`);
  return makeData({ type: arrowType(c), length: entries, data: c } as never) as ArrowNs.Data;
}

export const eventBatchCodec: Codec<EventBatch> = {
  encode(b) {
    const { makeData, Schema, Field, Struct, tableToIPC, Table, RecordBatch } = arrow();
    const names = Object.keys(b.columns);
    const datas = names.map((n) => columnData(b.columns[n]!, b.entries, n));
    const md = new Map<string, string>([['hepflow.entries', String(b.entries)]]);
    if (b.meta) md.set('hepflow.meta', JSON.stringify(b.meta));
    const fieldMeta = (c: EventColumn) => ('shape' in c ? new Map([[SHAPE_KEY, JSON.stringify(c.shape)]]) : undefined);
    const schema = new Schema(names.map((n, i) => new Field(n, datas[i]!.type, false, fieldMeta(b.columns[n]!))), md);
    const struct = makeData({ type: new Struct(schema.fields), length: b.entries, nullCount: 0, children: datas });
    const bytes = tableToIPC(new Table([new RecordBatch(schema, struct)]), 'stream');
    return { meta: { arrow: 1 }, payloads: [bytes] };
  },
  decode(_meta, payloads) {
    const { tableFromIPC, List, FixedSizeList } = arrow();
    const t = tableFromIPC(payloads[0]!);
    const entries = Number(t.schema.metadata.get('hepflow.entries') ?? t.numRows);
    const metaText = t.schema.metadata.get('hepflow.meta');
    const columns: Record<string, EventColumn> = {};
    for (const f of t.schema.fields) {
      const parts = t.getChild(f.name)!.data;
      if (parts.length > 1) throw new Error(`arrow column '${f.name}': expected one record batch`);
      const d = parts[0];
      if (f.type instanceof FixedSizeList) {
        const n = f.type.listSize;
        const shape = JSON.parse(f.metadata.get(SHAPE_KEY) ?? `[${n}]`) as number[];
        const child = d?.children[0];
        const content = child ? (child.values as NumericArray).subarray(child.offset + d.offset * n, child.offset + (d.offset + entries) * n) as NumericArray : new Float64Array(0);
        columns[f.name] = { shape, content };
      } else if (!d) {
        columns[f.name] = f.type instanceof List ? { offsets: new Int32Array(1), content: new Float64Array(0) } : new Float64Array(0);
      } else if (f.type instanceof List) {
        const off = d.valueOffsets as Int32Array;
        const offsets = off.subarray(d.offset, d.offset + entries + 1);
        const base = offsets[0]!;
        const child = d.children[0]!;
        const content = (child.values as NumericArray).subarray(child.offset + base, child.offset + offsets[entries]!) as NumericArray;
        columns[f.name] = { offsets: base === 0 ? offsets : offsets.map((o) => o - base), content };
      } else {
        columns[f.name] = (d.values as NumericArray).subarray(d.offset, d.offset + entries) as NumericArray;
      }
    }
    return metaText ? { entries, columns, meta: JSON.parse(metaText) as Record<string, unknown> } : { entries, columns };
  },
};

const TYPED: Record<string, { new (b: ArrayBuffer, o: number, n: number): NumericArray; BYTES_PER_ELEMENT: number }> = {
  Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array,
};

/** JSON-able values with typed arrays anywhere inside (kept as raw little-endian payloads). */
export const structuredCodec: Codec<unknown> = {
  encode(value) {
    const payloads: Uint8Array[] = [];
    const walk = (v: unknown): unknown => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        payloads.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        return { $ta: v.constructor.name, i: payloads.length - 1 };
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return walk((v as { toJSON(): unknown }).toJSON());
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(v)) o[k.startsWith('$') ? `$${k}` : k] = walk((v as Record<string, unknown>)[k]);
        return o;
      }
      return v;
    };
    const json = walk(value);
    return { meta: json === undefined ? null : json, payloads };
  },
  decode(meta, payloads) {
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.$ta === 'string' && typeof o.i === 'number') {
          const Ctor = TYPED[o.$ta];
          const p = payloads[o.i]!;
          if (!Ctor) throw new Error(`cache codec: unknown typed array ${o.$ta}`);
          // copy when misaligned (views into a blob buffer need not be aligned)
          const buf = p.byteOffset % Ctor.BYTES_PER_ELEMENT === 0 ? p : p.slice();
          return new Ctor(buf.buffer as ArrayBuffer, buf.byteOffset, buf.byteLength / Ctor.BYTES_PER_ELEMENT);
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(o)) out[k.startsWith('$$') ? k.slice(1) : k] = walk(o[k]);
        return out;
      }
      return v;
    };
    return walk(meta);
  },
};

// Reads RNTuple fields into the same columns as TTree branches (TreeReader interface). jsroot
// parses the anchor, header, footer and page lists; pages are read, decompressed and decoded
// here. Fields read: numeric scalars, RVec/std::vector of numbers, RNTupleCardinality (e.g. the
// NanoAOD importer's nJet); records and untyped collections are listed as not supported.
// Page checksums (XXH3) are not verified.
import { dtypeArray, type Column, type ColumnBatch, type DType, type NumericArray } from '../../columns.ts';
import { UserError } from '../../errors.ts';
import { decompressRoot } from '../decompress.ts';
import type { BranchInfo } from './branch-layout.ts';
import type { ByteSource } from './source.ts';
import type { EntryRange, TreeReader } from './tree-reader.ts';
import { chunksFromBoundaries } from './clusters.ts';
import { suggest } from '../../suggest.ts';
import { columnTypeSupported, decodePage, pageBytes } from './rntuple-columns.ts';

const scalarTypes: Record<string, DType> = {
  bool: 'bool', char: 'int8', 'std::int8_t': 'int8', 'std::uint8_t': 'uint8', 'std::int16_t': 'int16', 'std::uint16_t': 'uint16',
  'std::int32_t': 'int32', 'std::uint32_t': 'uint32', 'std::int64_t': 'int64', 'std::uint64_t': 'uint64', float: 'float32', double: 'float64',
};

interface FieldPlan {
  info: BranchInfo;
  kind: 'scalar' | 'collection' | 'cardinality';
  /** physical column of the values (scalar) or of the entry ends (collection, cardinality) */
  column: number;
  /** collection: physical column of the element values */
  values?: number;
}

export class RNTupleReader implements TreeReader {
  readonly name: string;
  readonly entries: number;
  readonly branches: BranchInfo[];
  private readonly fileName: string;
  private readonly source: ByteSource;
  private readonly builder: any;
  private readonly plans = new Map<string, FieldPlan>();
  private readonly clusterStarts: number[];

  constructor(fileName: string, source: ByteSource, name: string, builder: any) {
    this.fileName = fileName;
    this.source = source;
    this.name = name;
    this.builder = builder;
    const sums: any[] = builder.clusterSummaries ?? [];
    this.clusterStarts = [];
    let n = 0;
    for (const s of sums) { this.clusterStarts.push(Number(s.firstEntry)); n = Math.max(n, Number(s.firstEntry) + Number(s.numEntries)); }
    this.entries = n;
    const fields: any[] = builder.fieldDescriptors;
    fields.forEach((f, id) => {
      if (f.parentFieldId === id) this.plans.set(f.fieldName, this.plan(f, id));
    });
    this.branches = [...this.plans.values()].map((p) => p.info);
  }

  private columnOf(fieldId: number): number | undefined {
    const cols: any[] = this.builder.columnDescriptors;
    const own = cols.map((c, i) => ({ c, i })).filter(({ c }) => c.fieldId === fieldId).sort((a, b) => a.c.representationIndex - b.c.representationIndex);
    if (own.length) return own[0]!.i;
    return (this.builder.aliasColumns ?? []).find((a: any) => a.fieldId === fieldId)?.physicalColumnId;
  }

  private plan(f: any, id: number): FieldPlan {
    const name: string = f.fieldName;
    const typeName: string = f.typeName || (f.structRole === 1 ? 'untyped collection' : 'record');
    const no = (reason: string): FieldPlan => ({ info: { name, dtype: 'float64', jagged: false, typeName, title: f.description ?? '', supported: false, reason }, kind: 'scalar', column: -1 });
    const coltype = (c: number | undefined) => (c === undefined ? -1 : this.builder.columnDescriptors[c].coltype as number);
    const scalar = scalarTypes[typeName];
    if (scalar) {
      const c = this.columnOf(id);
      if (c === undefined || !columnTypeSupported(coltype(c))) return no(`column encoding ${coltype(c)} is not supported`);
      return { info: { name, dtype: scalar, jagged: false, typeName, title: f.description ?? '', supported: true }, kind: 'scalar', column: c };
    }
    const card = /^ROOT::(?:Experimental::)?RNTupleCardinality<std::(uint32|uint64)_t>$/.exec(typeName);
    if (card) {
      const c = this.columnOf(id);
      if (c === undefined || !columnTypeSupported(coltype(c))) return no('cardinality without a readable index column');
      return { info: { name, dtype: card[1] as DType, jagged: false, typeName, title: f.description ?? '', supported: true }, kind: 'cardinality', column: c };
    }
    const vec = /^(?:ROOT::VecOps::RVec|std::vector)<(.+)>$/.exec(typeName);
    if (vec) {
      const inner = scalarTypes[vec[1]!.trim()];
      const fields: any[] = this.builder.fieldDescriptors;
      const child = fields.findIndex((x, j) => x.parentFieldId === id && j !== id);
      const c = this.columnOf(id), v = child >= 0 ? this.columnOf(child) : undefined;
      if (!inner) return no(`element type ${vec[1]} is not supported`);
      if (c === undefined || v === undefined || !columnTypeSupported(coltype(c)) || !columnTypeSupported(coltype(v))) return no('collection columns not readable');
      return { info: { name, dtype: inner, jagged: true, typeName, title: f.description ?? '', supported: true }, kind: 'collection', column: c, values: v };
    }
    return no(`type ${typeName} is not supported (numbers, RVec/std::vector of numbers and cardinalities are)`);
  }

  private where(field?: string): string {
    return `${this.fileName}: RNTuple '${this.name}'${field === undefined ? '' : `, field '${field}'`}`;
  }

  branch(name: string): BranchInfo {
    const p = this.plans.get(name);
    if (!p) {
      const close = suggest(name, [...this.plans.keys()]);
      throw new UserError(`${this.where()}: no field '${name}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}`);
    }
    return p.info;
  }

  async read(names: string[], range?: EntryRange): Promise<ColumnBatch> {
    const start = range?.start ?? 0, stop = range?.stop ?? this.entries;
    if (!(Number.isInteger(start) && Number.isInteger(stop) && 0 <= start && start <= stop && stop <= this.entries)) {
      throw new UserError(`${this.where()}: entry range ${start}..${stop} is outside 0..${this.entries}`);
    }
    const plans = [...new Set(names)].map((n) => { this.branch(n); return this.plans.get(n)!; });
    for (const p of plans) if (!p.info.supported) throw new UserError(`${this.where(p.info.name)}: type ${p.info.typeName} is not supported: ${p.info.reason}`);
    const sums: any[] = this.builder.clusterSummaries;
    const clusters = sums.map((_, k) => k).filter((k) => this.clusterStarts[k]! < stop && this.clusterStarts[k]! + Number(sums[k].numEntries) > start);
    const columns = [...new Set(plans.flatMap((p) => (p.values === undefined ? [p.column] : [p.column, p.values])))];
    const decoded = await this.readColumns(clusters, columns);
    const out: Record<string, Column> = {};
    for (const p of plans) out[p.info.name] = this.assemble(p, clusters, decoded, start, stop);
    return { entries: stop - start, columns: out };
  }

  /** Reads and decodes every page of the given columns in the given clusters (one coalesced read). */
  private async readColumns(clusters: number[], columns: number[]): Promise<Map<string, NumericArray[]>> {
    const jobs: Array<{ key: string; coltype: number; n: number; compressed: boolean; offset: number; length: number }> = [];
    for (const k of clusters) {
      for (const c of columns) {
        const loc = this.builder.pageLocations?.[k]?.[c];
        if (!loc) throw new UserError(`${this.where()}: no page list for column ${c} in cluster ${k}`);
        const coltype: number = this.builder.columnDescriptors[c].coltype;
        for (const page of loc.pages) {
          const n = Number(page.numElements);
          const length = Number(page.locator.size);
          jobs.push({ key: `${k}:${c}`, coltype, n, compressed: loc.compression !== 0 && length !== pageBytes(coltype, n), offset: Number(page.locator.offset), length });
        }
      }
    }
    const raws = await this.source.read(jobs.map((j) => ({ offset: j.offset, length: j.length })));
    const out = new Map<string, NumericArray[]>();
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      let bytes = raws[i]!;
      try {
        if (j.compressed) bytes = await decompressRoot(bytes, pageBytes(j.coltype, j.n), `${this.where()}, column ${j.key}`);
        if (bytes.length < pageBytes(j.coltype, j.n)) throw new Error(`${this.where()}, column ${j.key}: page of ${bytes.length} bytes for ${j.n} elements`);
        const list = out.get(j.key) ?? [];
        list.push(decodePage(j.coltype, bytes, j.n));
        out.set(j.key, list);
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message, { cause: err });
      }
    }
    return out;
  }

  private assemble(p: FieldPlan, clusters: number[], decoded: Map<string, NumericArray[]>, start: number, stop: number): Column {
    const sums: any[] = this.builder.clusterSummaries;
    const concat = (k: number, c: number): NumericArray => {
      const pages = decoded.get(`${k}:${c}`) ?? [];
      if (pages.length === 1) return pages[0]!;
      const n = pages.reduce((a, x) => a + x.length, 0);
      const all = new (pages[0]?.constructor as new (n: number) => NumericArray ?? Uint8Array)(n);
      let o = 0;
      for (const x of pages) { (all as Float64Array).set(x as Float64Array, o); o += x.length; }
      return all;
    };
    const ends = (idx: NumericArray, i: number): number => (i < 0 ? 0 : Number(idx[i]!));
    const parts: NumericArray[] = [];
    const counts: number[] = [];
    for (const k of clusters) {
      const first = this.clusterStarts[k]!;
      const a = Math.max(start, first) - first, b = Math.min(stop, first + Number(sums[k].numEntries)) - first;
      const col = concat(k, p.column);
      if (p.kind === 'scalar') { parts.push(col.subarray(a, b)); continue; }
      if (p.kind === 'cardinality') {
        const arr = new dtypeArray[p.info.dtype](b - a);
        for (let i = a; i < b; i++) (arr as Float64Array)[i - a] = p.info.dtype === 'uint64' ? (BigInt(ends(col, i) - ends(col, i - 1)) as unknown as number) : ends(col, i) - ends(col, i - 1);
        parts.push(arr);
        continue;
      }
      const values = concat(k, p.values!);
      parts.push(values.subarray(ends(col, a - 1), ends(col, b - 1)));
      for (let i = a; i < b; i++) counts.push(ends(col, i) - ends(col, i - 1));
    }
    const total = parts.reduce((s, x) => s + x.length, 0);
    const content = new dtypeArray[p.info.dtype](total);
    let o = 0;
    for (const x of parts) {
      if ((x instanceof BigInt64Array || x instanceof BigUint64Array) !== (content instanceof BigInt64Array || content instanceof BigUint64Array)) {
        throw new UserError(`${this.where(p.info.name)}: column element type does not match ${p.info.typeName}`);
      }
      (content as Float64Array).set(x as Float64Array, o);
      o += x.length;
    }
    if (p.kind !== 'collection') return content;
    const offsets = new Int32Array(counts.length + 1);
    for (let i = 0; i < counts.length; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
    return { offsets, content };
  }

  clusters(): number[] {
    return [...new Set([...this.clusterStarts, this.entries])].sort((a, b) => a - b);
  }

  chunks(targetEntries: number): EntryRange[] {
    if (!(Number.isInteger(targetEntries) && targetEntries > 0)) throw new UserError(`${this.where()}: chunk size must be a positive integer, got ${targetEntries}`);
    return chunksFromBoundaries(this.clusters(), targetEntries);
  }
}

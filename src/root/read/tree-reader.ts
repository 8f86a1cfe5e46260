// Reads columns of one TTree: picks the baskets of the requested branches and entry range, reads
// them from the source in one coalesced call, decompresses and decodes them into typed arrays.
import type { ColumnBatch, Column } from '../../columns.ts';
import { UserError } from '../../errors.ts';
import type { ByteSource } from './source.ts';
import { resolveBranch, type BranchInfo, type MemberLookup, type ResolvedBranch } from './branch-layout.ts';
import { decodeDiskBasket, decodeDiskBasketSync, decodeEmbeddedBasket, diskBasketNeedsAwait, type BasketData } from './basket.ts';
import { columnBuilder } from './decode.ts';
import { acquireBuffer, releaseBuffer } from './buffer-pool.ts';
import { clusterBoundaries, chunksFromBoundaries } from './clusters.ts';
import { suggest } from '../../suggest.ts';
import { readProgress } from '../../read-progress.ts';

export interface EntryRange {
  start: number;
  stop: number;
}

interface BasketRef {
  index: number;
  start: number;
  stop: number;
  seek: number;
  bytes: number;
  embedded: any;
}

export interface TreeReader {
  readonly name: string;
  readonly entries: number;
  readonly branches: BranchInfo[];
  /** UserError naming the file and tree (and close names) if there is no such branch. */
  branch(name: string): BranchInfo;
  /** Columns for [start, stop) (default: all entries). Jagged branches come as offsets + content
   *  (offsets index values; vector<vector<T>> is flattened per entry); fixed-size arrays are flat
   *  with `shape` in their BranchInfo. */
  read(names: string[], range?: EntryRange): Promise<ColumnBatch>;
  /** Cluster boundaries, 0 .. entries. */
  clusters(): number[];
  /** Cluster-aligned entry ranges of about `targetEntries`. */
  chunks(targetEntries: number): EntryRange[];
}

/** fEntries of a TTree jsroot read, refusing metadata that did not stream (jsroot then hands back
 *  an object with no members: read as is, it would be a tree of NaN entries and no branches). */
function checkedEntries(tree: any, where: string): number {
  const raw = tree?.fEntries;
  const entries = typeof raw === 'bigint' ? Number(raw) : raw;
  const branches = tree?.fBranches?.arr;
  if (typeof entries !== 'number' || !Number.isSafeInteger(entries) || entries < 0 || !Array.isArray(branches)) {
    const what = !Array.isArray(branches) ? 'no branch list' : `fEntries = ${String(raw)}`;
    throw new UserError(`${where}: the TTree metadata is unreadable or implausible (${what}); the file is corrupt`);
  }
  if (entries > 0 && branches.length === 0) throw new UserError(`${where}: the TTree metadata is implausible (${entries} entries but no branches); the file is corrupt`);
  return entries;
}

export class TTreeReader implements TreeReader {
  readonly name: string;
  readonly entries: number;
  readonly branches: BranchInfo[];
  private readonly fileName: string;
  private readonly source: ByteSource;
  private readonly tree: any;
  private readonly byName = new Map<string, ResolvedBranch>();
  private readonly basketCache = new Map<string, BasketRef[]>();
  /** The last basket decoded per branch: consecutive chunks often share one. */
  private readonly lastBasket = new Map<string, { index: number; data: BasketData }>();
  private bounds: number[] | undefined;

  constructor(fileName: string, source: ByteSource, name: string, tree: any, member: MemberLookup) {
    this.fileName = fileName;
    this.source = source;
    this.name = name;
    this.tree = tree;
    this.entries = checkedEntries(tree, `${fileName}: tree '${name}'`);
    const walk = (b: any): void => {
      const full: string = b.fName;
      if (!this.byName.has(full)) this.byName.set(full, resolveBranch(b, full, member));
      for (const sub of b.fBranches?.arr ?? []) walk(sub);
    };
    for (const b of tree.fBranches?.arr ?? []) walk(b);
    this.branches = [...this.byName.values()].map((r) => r.info);
  }

  private where(branch?: string, basket?: number): string {
    return `${this.fileName}: tree '${this.name}'${branch === undefined ? '' : `, branch '${branch}'`}${basket === undefined ? '' : `, basket ${basket}`}`;
  }

  private resolved(name: string): ResolvedBranch {
    const r = this.byName.get(name);
    if (!r) {
      const close = suggest(name, [...this.byName.keys()]);
      throw new UserError(`${this.where()}: no branch '${name}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}`);
    }
    return r;
  }

  branch(name: string): BranchInfo {
    return this.resolved(name).info;
  }

  private baskets(r: ResolvedBranch): BasketRef[] {
    const cached = this.basketCache.get(r.info.name);
    if (cached) return cached;
    const b = r.branch;
    const nWritten: number = b.fWriteBasket ?? 0;
    const inMemory: any[] = b.fBaskets?.arr ?? [];
    const out: BasketRef[] = [];
    const n = Math.max(nWritten, inMemory.length);
    for (let k = 0; k < n; k++) {
      const start = Number(b.fBasketEntry?.[k] ?? 0);
      const embedded = inMemory[k] ?? null;
      if (embedded) {
        out.push({ index: k, start, stop: start + embedded.fNevBuf, seek: 0, bytes: 0, embedded });
      } else if (k < nWritten) {
        out.push({ index: k, start, stop: Number(b.fBasketEntry[k + 1]), seek: Number(b.fBasketSeek[k]), bytes: Number(b.fBasketBytes[k]), embedded: null });
      }
    }
    const covered = out.length ? out[out.length - 1]!.stop : 0;
    if (covered < this.entries) {
      throw new UserError(`${this.where(r.info.name)}: baskets cover ${covered} of ${this.entries} entries (file not closed properly?)`);
    }
    this.basketCache.set(r.info.name, out);
    return out;
  }

  async read(names: string[], range?: EntryRange): Promise<ColumnBatch> {
    try {
      return await this.readUnchecked(names, range);
    } catch (err) {
      // anything but a UserError here comes from metadata that does not hold together
      if (err instanceof UserError) throw err;
      throw new UserError(`${this.where()}: corrupt metadata: ${(err as Error).message}`, { cause: err });
    }
  }

  private async readUnchecked(names: string[], range?: EntryRange): Promise<ColumnBatch> {
    const start = range?.start ?? 0;
    const stop = range?.stop ?? this.entries;
    if (!(Number.isInteger(start) && Number.isInteger(stop) && 0 <= start && start <= stop && stop <= this.entries)) {
      throw new UserError(`${this.where()}: entry range ${start}..${stop} is outside 0..${this.entries}`);
    }
    const wanted = [...new Set(names)].map((n) => this.resolved(n));
    for (const r of wanted) {
      if (!r.info.supported) {
        throw new UserError(`${this.where(r.info.name)}: type ${r.info.typeName} is not supported: ${r.info.reason}`);
      }
    }
    // every basket of every branch needed for [start, stop), read from the source in one call
    const plan = wanted.map((r) => ({ r, refs: this.baskets(r).filter((k) => k.stop > start && k.start < stop) }));
    const toRead: BasketRef[] = [];
    // a snapshot: concurrent reads on this reader may replace the cache while this one awaits
    const kept = new Map(plan.map(({ r }) => [r.info.name, this.lastBasket.get(r.info.name)]));
    for (const { r, refs } of plan) {
      const last = kept.get(r.info.name);
      for (const k of refs) {
        if (!k.embedded && k.index !== last?.index) toRead.push(k);
      }
    }
    const raws = await this.source.read(toRead.map((k) => ({ offset: k.seek, length: k.bytes })));
    // basket refs are per branch (cached by name), so a ref identifies one basket of one branch
    const rawOf = new Map<BasketRef, Uint8Array>();
    toRead.forEach((k, i) => rawOf.set(k, raws[i]!));

    const columns: Record<string, Column> = {};
    const basketsTotal = plan.reduce((n, { refs }) => n + refs.length, 0);
    let basketsDone = 0;
    for (const { r, refs } of plan) {
      const name = r.info.name;
      const layout = r.layout!;
      const offsetsMode = layout.kind === 'fixed' ? 'none' : 'decoded';
      const last = kept.get(name);
      const rawFor = (k: BasketRef): Uint8Array => rawOf.get(k)!;
      // LZMA baskets decode asynchronously: done first, so that the column is then built
      // without awaiting (its staging area is shared by the thread)
      const early = new Map<number, BasketData>();
      for (const k of refs) {
        if (k.embedded || k.index === last?.index || !diskBasketNeedsAwait(rawFor(k))) continue;
        try {
          early.set(k.index, await decodeDiskBasket(rawFor(k), offsetsMode, this.where(name, k.index)));
        } catch (err) {
          throw asUserError(err);
        }
      }
      // Each basket is decompressed, then its entries added to the column at once: in place
      // when decompressed into the column's staging area, else copied from a pooled buffer
      // while still in cache, the buffer going back to the pool. The last basket is kept when
      // the next chunk starts inside it (and never pooled again: a concurrent read may use it).
      const builder = columnBuilder(layout, r.info.dtype, stop - start);
      let keep: BasketData | undefined;
      try {
        for (let j = 0; j < refs.length; j++) {
          const k = refs[j]!;
          const where = this.where(name, k.index);
          const keepThis = j === refs.length - 1 && k.stop > stop;
          // decompressed straight into the column where the layout allows, else into a pooled
          // buffer (always for the basket kept for the next chunk: it needs a buffer of its own)
          const stage = keepThis || !builder.stageBasket ? undefined : (n: number) => builder.stageBasket!(n);
          let data: BasketData;
          let pooled = false;
          if (last && last.index === k.index) data = last.data;
          else if (k.embedded) data = decodeEmbeddedBasket(k.embedded, offsetsMode !== 'none', where);
          else if (early.has(k.index)) data = early.get(k.index)!;
          else {
            // the builder decodes the entry offsets of a basket it does not keep in its own pass
            const mode = offsetsMode === 'decoded' && !keepThis && builder.takesStoredOffsets ? 'stored' : offsetsMode;
            // a kept basket stored uncompressed would be a view on the read span, reused below
            data = decodeDiskBasketSync(keepThis ? rawFor(k).slice() : rawFor(k), mode, where, stage ?? acquireBuffer);
            pooled = !stage && data.buffer !== undefined;
          }
          if (data.entries !== k.stop - k.start) {
            throw new UserError(`${where}: basket holds ${data.entries} entries, the branch metadata says ${k.stop - k.start}`);
          }
          builder.add({ data, from: Math.max(start, k.start) - k.start, to: Math.min(stop, k.stop) - k.start, where });
          if (keepThis) keep = data;
          else if (pooled) releaseBuffer(data.buffer!);
          readProgress(++basketsDone, basketsTotal);
        }
        columns[name] = builder.finish();
      } catch (err) {
        throw asUserError(err);
      }
      if (keep) this.lastBasket.set(name, { index: refs[refs.length - 1]!.index, data: keep });
      else this.lastBasket.delete(name);
    }
    // the columns hold copies: the spans read go back to the source's pool (if it has one)
    const spans = new Set<ArrayBufferLike>();
    for (const raw of raws) {
      if (!spans.has(raw.buffer)) { spans.add(raw.buffer); releaseBuffer(raw); }
    }
    return { entries: stop - start, columns };
  }

  clusters(): number[] {
    if (!this.bounds) {
      const starts: number[][] = [];
      if (!((this.tree.fNClusterRange ?? 0) > 0 || (this.tree.fAutoFlush ?? 0) > 0)) {
        for (const r of this.byName.values()) {
          if (r.info.supported) starts.push(this.baskets(r).map((k) => k.start));
        }
      }
      this.bounds = clusterBoundaries(this.tree, this.entries, starts);
    }
    return this.bounds;
  }

  chunks(targetEntries: number): EntryRange[] {
    if (!(Number.isInteger(targetEntries) && targetEntries > 0)) {
      throw new UserError(`${this.where()}: chunk size must be a positive integer, got ${targetEntries}`);
    }
    return chunksFromBoundaries(this.clusters(), targetEntries);
  }
}

function asUserError(err: unknown): UserError {
  if (err instanceof UserError) return err;
  return new UserError((err as Error).message, { cause: err });
}

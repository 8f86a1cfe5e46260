// A streaming TTree writer for flat numeric branches, NanoAOD-style jagged branches (a counter
// branch nX plus X_var[nX] leaves whose baskets carry entry offsets) and std::vector<T> branches
// (TBranchElement). Each branch buffers at most one basket; a full basket is handed to the libuv
// thread pool for compression (a bounded number at a time) and written, in order, when done, so
// memory stays flat however many entries are appended and compression overlaps with filling. All
// branches end a basket at every cluster boundary (every `clusterEntries` entries, recorded as
// fAutoFlush), which is what cluster-aligned readers rely on. The TTree metadata key is written at
// close.
import { WBuffer, kByteCountMask } from './buffer.ts';
import { compressRootAsync, compressionSetting, type Compression } from './compress.ts';
import { keyHeaderLength, writeKeyHeader } from './keys.ts';
import { classVersion, vectorChecksum } from './streamers.ts';
import { kObjectBits, writeEmptyTObjArray, writeTObject, writeTAttFill, writeTAttLine, writeTAttMarker, writeTNamed } from './tobject.ts';
import { dtypeArray, isJagged, type Column, type ColumnBatch, type DType, type NumericArray } from '../../columns.ts';

export interface BranchSpec {
  name: string;
  dtype: DType;
  /** For a jagged branch: the name of its counter branch (declared in the same schema, dtype
   *  int32 or uint32). If an appended batch lacks the counter column it is derived from the
   *  jagged column's offsets. */
  counter?: string;
  /** A std::vector<T> branch (TBranchElement, as ATLAS ntuples have) taking a jagged column;
   *  each entry is stored with ROOT's 10-byte collection header. Not combined with `counter`. */
  vector?: boolean;
  /** Fixed-size array per entry (leaf `x[3]` or `x[2][3]`) of a flat branch: the column holds
   *  entries * product(shape) values, row-major. */
  shape?: number[];
  /** Branch title; default the ROOT leaf list, e.g. "Jet_pt[nJet]/F". */
  title?: string;
}

export interface TreeOptions {
  title?: string;
  /** Entries per cluster (fAutoFlush); every branch closes a basket at each cluster boundary. Default 100000. */
  clusterEntries?: number;
  /** Target uncompressed bytes per basket; default 64 KiB. */
  basketBytes?: number;
  /** Override the file's compression for this tree's baskets. */
  compression?: Compression;
}

/** What the tree needs from its file (implemented by RootFileWriter). */
export interface TreeSink {
  readonly path: string;
  readonly compression: Compression;
  readonly datimeCode: number;
  /** Where the next appended record starts. */
  readonly position: number;
  appendRecord(bytes: Uint8Array): number;
}

type OnClose = (tree: TreeWriter, title: string, payload: (keylen: number) => Uint8Array, classes: string[]) => void;

const leafCodes: Record<DType, { cls: string; code: string; unsigned: boolean; vector: string }> = {
  bool: { cls: 'TLeafO', code: 'O', unsigned: false, vector: 'vector<bool>' },
  int8: { cls: 'TLeafB', code: 'B', unsigned: false, vector: 'vector<char>' },
  uint8: { cls: 'TLeafB', code: 'b', unsigned: true, vector: 'vector<unsigned char>' },
  int16: { cls: 'TLeafS', code: 'S', unsigned: false, vector: 'vector<short>' },
  uint16: { cls: 'TLeafS', code: 's', unsigned: true, vector: 'vector<unsigned short>' },
  int32: { cls: 'TLeafI', code: 'I', unsigned: false, vector: 'vector<int>' },
  uint32: { cls: 'TLeafI', code: 'i', unsigned: true, vector: 'vector<unsigned int>' },
  int64: { cls: 'TLeafL', code: 'L', unsigned: false, vector: 'vector<Long64_t>' },
  uint64: { cls: 'TLeafL', code: 'l', unsigned: true, vector: 'vector<ULong64_t>' },
  float32: { cls: 'TLeafF', code: 'F', unsigned: false, vector: 'vector<float>' },
  float64: { cls: 'TLeafD', code: 'D', unsigned: false, vector: 'vector<double>' },
};
/** Per-entry header of a std::vector in a basket: byte count, version, size. */
const VECTOR_HEADER = 4 + 2 + 4;
/** The collection version ROOT 6 writes in that header. */
const kVectorStreamVersion = 9;

/** TBasket header after the key: fVersion, fBufferSize, fNevBufSize, fNevBuf, fLast, flag. */
const BASKET_EXTRA = 2 + 4 + 4 + 4 + 4 + 1;
const IO_FEATURES = Uint8Array.of(0x40, 0, 0, 7, 0, 0, 0x1a, 0xa1, 0x2f, 0x10, 0);

/** A basket taken from a branch, waiting for its compression to finish. */
interface PendingBasket {
  branch: BranchState;
  payload: Uint8Array;
  entries: number;
  /** Bytes of data before the entry-offset table (fLast - fKeylen). */
  dataBytes: number;
  firstEntry: number;
}

/** Baskets compressing at once on the libuv thread pool, overlapping with filling. */
const MAX_IN_FLIGHT = 16;

class BranchState {
  readonly spec: BranchSpec;
  readonly itemsize: number;
  /** Values per entry of a flat branch (product of its fixed shape). */
  readonly perEntry: number;
  readonly jagged: boolean;
  readonly vector: boolean;
  readonly leaf = {};
  counterOf: BranchState | undefined;
  /** Largest count seen, for a counter branch (TLeaf::fMaximum, which ROOT sizes buffers with). */
  maxCount = 0;
  isCounter = false;
  private buf: Uint8Array;
  private used = 0;
  private nev = 0;
  private entryPos: Int32Array;
  private firstEntry = 0;
  readonly basketBytes: number[] = [];
  readonly basketEntry: number[] = [];
  readonly basketSeek: number[] = [];
  totBytes = 0;
  zipBytes = 0;
  private readonly target: number;
  private readonly keylen: number;

  constructor(spec: BranchSpec, treeName: string, target: number) {
    this.spec = spec;
    this.itemsize = dtypeArray[spec.dtype].BYTES_PER_ELEMENT;
    this.vector = spec.vector === true;
    this.jagged = spec.counter !== undefined || this.vector;
    const shape = spec.shape ?? [];
    if (shape.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`branch '${spec.name}': shape ${JSON.stringify(shape)} must hold positive integers`);
    if (shape.length && this.jagged) throw new Error(`branch '${spec.name}': a fixed shape is for flat branches only`);
    this.perEntry = shape.reduce((p, d) => p * d, 1);
    const entryBytes = this.itemsize * this.perEntry;
    this.target = Math.max(entryBytes, Math.floor(target / entryBytes) * entryBytes);
    this.buf = new Uint8Array(this.target);
    this.entryPos = new Int32Array(this.jagged ? 1024 : 0);
    this.keylen = keyHeaderLength('TBasket', spec.name, treeName) + BASKET_EXTRA;
  }

  /** Appends entries [a, b) of a flat column; `flush` writes a full basket. */
  addFlat(col: NumericArray, a: number, b: number, flush: () => void): void {
    const per = this.perEntry;
    const perBasket = this.target / (this.itemsize * per);
    while (a < b) {
      const k = Math.min(b - a, perBasket - this.nev);
      putBigEndian(this.buf, this.used, col, a * per, (a + k) * per, this.itemsize);
      this.used += k * per * this.itemsize;
      this.nev += k;
      a += k;
      if (this.nev === perBasket) flush();
    }
  }

  addJagged(offsets: Int32Array, content: NumericArray, a: number, b: number, flush: () => void): void {
    const size = this.itemsize;
    const header = this.vector ? VECTOR_HEADER : 0;
    while (a < b) {
      // Entries a..j fit in the space left (at least one entry when the basket is empty).
      const room = this.target - this.used;
      let lo = a, hi = b; // largest j in [a, b] whose bytes fit in room
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((offsets[mid]! - offsets[a]!) * size + (mid - a) * header <= room) lo = mid; else hi = mid - 1;
      }
      let j = lo;
      if (j === a) {
        if (this.nev > 0) { flush(); continue; }
        j = a + 1; // one entry larger than a basket: the basket grows for it
      }
      const items = offsets[j]! - offsets[a]!;
      this.reserve(this.used + items * size + (j - a) * header, this.nev + (j - a));
      if (this.vector) {
        for (let e = a; e < j; e++) {
          const n = offsets[e + 1]! - offsets[e]!;
          this.entryPos[this.nev++] = this.used;
          const dv = new DataView(this.buf.buffer, this.used, VECTOR_HEADER);
          dv.setUint32(0, ((VECTOR_HEADER - 4 + n * size) | kByteCountMask) >>> 0);
          dv.setInt16(4, kVectorStreamVersion);
          dv.setInt32(6, n);
          this.used += VECTOR_HEADER;
          putBigEndian(this.buf, this.used, content, offsets[e]!, offsets[e + 1]!, size);
          this.used += n * size;
        }
      } else {
        const base = this.used - offsets[a]! * size;
        for (let e = a; e < j; e++) this.entryPos[this.nev++] = base + offsets[e]! * size;
        putBigEndian(this.buf, this.used, content, offsets[a]!, offsets[j]!, size);
        this.used += items * size;
      }
      a = j;
      if (this.used >= this.target) flush();
    }
  }

  private reserve(bytes: number, entries: number): void {
    if (bytes > this.buf.length) {
      const next = new Uint8Array(Math.max(bytes, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    if (entries > this.entryPos.length) {
      const next = new Int32Array(Math.max(entries, this.entryPos.length * 2));
      next.set(this.entryPos.subarray(0, this.nev));
      this.entryPos = next;
    }
  }

  /** Takes the current basket's uncompressed payload (data, then the entry-offset table for
   *  jagged branches) and empties the buffers; undefined if it holds no entries. */
  takeBasket(): PendingBasket | undefined {
    if (this.nev === 0) return undefined;
    const keylen = this.keylen;
    let payload: Uint8Array;
    if (this.jagged) {
      // Entry offset table: count n+1, then n offsets from the key start, then 0 (ROOT leaves the
      // n+1-th offset 0; readers use fLast). Built aligned, byte-swapped, then copied in.
      const table = new Int32Array(this.nev + 2);
      table[0] = this.nev + 1;
      for (let i = 0; i < this.nev; i++) table[i + 1] = keylen + this.entryPos[i]!;
      const t32 = new Uint32Array(table.buffer);
      for (let i = 0; i < t32.length; i++) {
        const x = t32[i]!;
        t32[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
      }
      payload = new Uint8Array(this.used + table.byteLength);
      payload.set(this.buf.subarray(0, this.used));
      payload.set(new Uint8Array(table.buffer), this.used);
    } else {
      payload = this.buf.slice(0, this.used);
    }
    const basket: PendingBasket = { branch: this, payload, entries: this.nev, dataBytes: this.used, firstEntry: this.firstEntry };
    this.firstEntry += this.nev;
    this.used = 0;
    this.nev = 0;
    return basket;
  }

  /** Writes a basket's key (header and compressed data in one record) and records it. */
  writeBasket(sink: TreeSink, treeName: string, seekPdir: number, basket: PendingBasket, data: Uint8Array): void {
    const keylen = this.keylen;
    const objlen = basket.payload.length;
    const nbytes = keylen + data.length;
    const head = new WBuffer(0, keylen);
    const seek = sink.position;
    writeKeyHeader(head, {
      nbytes, objlen, datime: sink.datimeCode, keylen, cycle: 1, seekKey: seek, seekPdir,
      className: 'TBasket', name: this.spec.name, title: treeName,
    });
    head.i16(3).i32(keylen + objlen).i32(this.jagged ? basket.entries + 1 : this.itemsize * this.perEntry).i32(basket.entries)
      .i32(keylen + basket.dataBytes).u8(0);
    const record = new Uint8Array(nbytes);
    record.set(head.written());
    record.set(data, keylen);
    const at = sink.appendRecord(record);
    if (at !== seek) throw new Error(`ROOT writer: basket position mismatch in ${sink.path}`);
    this.basketBytes.push(nbytes);
    this.basketEntry.push(basket.firstEntry);
    this.basketSeek.push(at);
    this.totBytes += keylen + objlen;
    this.zipBytes += nbytes;
  }

  get entries(): number { return this.firstEntry + this.nev; }
}

/** Writes `col[a..b)` as big-endian items of `size` bytes at dst[at..]. */
function putBigEndian(dst: Uint8Array, at: number, col: NumericArray, a: number, b: number, size: number): void {
  const src = new Uint8Array(col.buffer, col.byteOffset + a * size, (b - a) * size);
  if (size === 1) { dst.set(src, at); return; }
  const n = b - a;
  if (at % size !== 0) { putBigEndianUnaligned(dst, at, col, a, n, size); return; }
  // dst is our own buffer (byteOffset 0) and `at` a multiple of size: aligned word views work.
  if (size === 4) {
    const s = new Uint32Array(col.buffer, col.byteOffset + a * 4, n);
    const d = new Uint32Array(dst.buffer, at, n);
    for (let i = 0; i < n; i++) {
      const x = s[i]!;
      d[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
  } else if (size === 8) {
    const s = new Uint32Array(col.buffer, col.byteOffset + a * 8, 2 * n);
    const d = new Uint32Array(dst.buffer, at, 2 * n);
    for (let i = 0; i < 2 * n; i += 2) {
      const lo = s[i]!, hi = s[i + 1]!;
      d[i] = ((hi & 0xff) << 24) | ((hi & 0xff00) << 8) | ((hi >>> 8) & 0xff00) | (hi >>> 24);
      d[i + 1] = ((lo & 0xff) << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24);
    }
  } else {
    const s = new Uint16Array(col.buffer, col.byteOffset + a * 2, n);
    const d = new Uint16Array(dst.buffer, at, n);
    for (let i = 0; i < n; i++) { const x = s[i]!; d[i] = ((x & 0xff) << 8) | (x >>> 8); }
  }
}

/** std::vector entries follow 10-byte headers, so their items are not word-aligned in the basket. */
function putBigEndianUnaligned(dst: Uint8Array, at: number, col: NumericArray, a: number, n: number, size: number): void {
  const dv = new DataView(dst.buffer, dst.byteOffset + at, n * size);
  if (size === 4) {
    const s = new Uint32Array(col.buffer, col.byteOffset + a * 4, n);
    for (let i = 0; i < n; i++) dv.setUint32(4 * i, s[i]!);
  } else if (size === 8) {
    const s = new Uint32Array(col.buffer, col.byteOffset + a * 8, 2 * n);
    for (let i = 0; i < n; i++) { dv.setUint32(8 * i, s[2 * i + 1]!); dv.setUint32(8 * i + 4, s[2 * i]!); }
  } else {
    const s = new Uint16Array(col.buffer, col.byteOffset + a * 2, n);
    for (let i = 0; i < n; i++) dv.setUint16(2 * i, s[i]!);
  }
}

export class TreeWriter {
  readonly name: string;
  readonly title: string;
  private readonly sink: TreeSink;
  private readonly seekPdir: number;
  private readonly branches: BranchState[];
  private readonly byName = new Map<string, BranchState>();
  private readonly clusterEntries: number;
  private readonly compression: Compression;
  private entries = 0;
  private readonly pending: Array<{ basket: PendingBasket; data: Promise<Uint8Array> }> = [];
  private inCluster = 0;
  private closed = false;
  private readonly onClose: OnClose;

  constructor(sink: TreeSink, seekPdir: number, name: string, specs: BranchSpec[], opts: TreeOptions, onClose: OnClose) {
    this.sink = sink;
    this.seekPdir = seekPdir;
    this.name = name;
    this.title = opts.title ?? '';
    this.onClose = onClose;
    this.compression = opts.compression ?? sink.compression;
    compressionSetting(this.compression);
    this.clusterEntries = opts.clusterEntries ?? 100_000;
    if (!Number.isInteger(this.clusterEntries) || this.clusterEntries < 1) {
      throw new RangeError(`tree '${name}': clusterEntries must be a positive integer, got ${opts.clusterEntries}`);
    }
    const target = opts.basketBytes ?? 64 * 1024;
    if (specs.length === 0) throw new Error(`tree '${name}' in ${sink.path}: no branches`);
    this.branches = specs.map((s) => {
      if (!(s.dtype in dtypeArray)) throw new Error(`tree '${name}' branch '${s.name}': unknown dtype '${s.dtype}'`);
      if (this.byName.has(s.name)) throw new Error(`tree '${name}': duplicate branch '${s.name}'`);
      const b = new BranchState(s, name, target);
      this.byName.set(s.name, b);
      return b;
    });
    for (const b of this.branches) {
      if (b.vector && b.spec.counter !== undefined) throw new Error(`tree '${name}' branch '${b.spec.name}': a std::vector branch has no counter branch`);
      if (!b.jagged || b.vector) continue;
      const c = this.byName.get(b.spec.counter!);
      if (!c || c.jagged || c.perEntry !== 1 || (c.spec.dtype !== 'int32' && c.spec.dtype !== 'uint32')) {
        throw new Error(`tree '${name}' branch '${b.spec.name}': counter '${b.spec.counter}' must be a flat int32/uint32 branch of the same tree`);
      }
      if (this.branches.indexOf(c) > this.branches.indexOf(b)) {
        throw new Error(`tree '${name}' branch '${b.spec.name}': counter '${b.spec.counter}' must be declared before it`);
      }
      c.isCounter = true;
      b.counterOf = c;
    }
  }

  get numEntries(): number { return this.entries; }

  /** Appends one batch of entries. Columns must have the schema's dtypes; jagged branches take
   *  {offsets, content}; counter columns may be omitted. */
  async append(batch: ColumnBatch): Promise<void> {
    if (this.closed) throw new Error(`tree '${this.name}' in ${this.sink.path}: already closed`);
    const n = batch.entries;
    if (n === 0) return;
    const cols = this.checkBatch(batch);
    let start = 0;
    while (start < n) {
      const take = Math.min(n - start, this.clusterEntries - this.inCluster);
      for (let i = 0; i < this.branches.length; i++) {
        const b = this.branches[i]!;
        const col = cols[i]!;
        const flush = (): void => this.enqueue(b);
        if (isJagged(col)) b.addJagged(col.offsets, col.content, start, start + take, flush);
        else b.addFlat(col, start, start + take, flush);
      }
      start += take;
      this.inCluster += take;
      if (this.inCluster === this.clusterEntries) this.flushAll();
      await this.drain(MAX_IN_FLIGHT);
    }
    this.entries += n;
  }

  /** Starts compressing a branch's full basket; baskets are written in the order they were taken,
   *  so the file's bytes do not depend on which compression finishes first. */
  private enqueue(b: BranchState): void {
    const basket = b.takeBasket();
    if (!basket) return;
    const data = compressRootAsync(basket.payload, this.compression);
    data.catch(() => undefined); // observed in drain(); avoid an unhandled rejection meanwhile
    this.pending.push({ basket, data });
  }

  /** Writes finished baskets, in order, until at most `keep` are still compressing. */
  private async drain(keep: number): Promise<void> {
    while (this.pending.length > keep) {
      const { basket, data } = this.pending.shift()!;
      basket.branch.writeBasket(this.sink, this.name, this.seekPdir, basket, await data);
    }
  }

  private flushAll(): void {
    for (const b of this.branches) this.enqueue(b);
    this.inCluster = 0;
  }

  private checkBatch(batch: ColumnBatch): Column[] {
    const n = batch.entries;
    const where = (b: BranchState): string => `tree '${this.name}' branch '${b.spec.name}' in ${this.sink.path}`;
    const derived = new Map<BranchState, NumericArray>();
    const cols = this.branches.map((b) => {
      const col = batch.columns[b.spec.name];
      if (col === undefined) {
        if (b.isCounter) return undefined;
        throw new Error(`${where(b)}: column missing from the appended batch`);
      }
      const Expected = dtypeArray[b.spec.dtype];
      if (b.jagged) {
        if (!isJagged(col)) throw new Error(`${where(b)}: expected a jagged column {offsets, content}`);
        if (col.offsets.length !== n + 1) throw new Error(`${where(b)}: offsets length ${col.offsets.length}, expected ${n + 1}`);
        if (!(col.content instanceof Expected)) throw new Error(`${where(b)}: content is ${col.content.constructor.name}, expected ${Expected.name} for ${b.spec.dtype}`);
        if (col.offsets[0] !== 0 || col.offsets[n]! > col.content.length) throw new Error(`${where(b)}: offsets do not fit the content`);
      } else {
        if (isJagged(col)) throw new Error(`${where(b)}: expected a flat column, got a jagged one`);
        if (!(col instanceof Expected)) throw new Error(`${where(b)}: column is ${col.constructor.name}, expected ${Expected.name} for ${b.spec.dtype}`);
        if (col.length !== n * b.perEntry) throw new Error(`${where(b)}: ${col.length} values, expected ${n * b.perEntry}`);
      }
      return col;
    });
    // Counters: derive when absent, check against every jagged branch, track the maximum. Branches
    // of one collection usually share one offsets array: check each pairing once.
    const checked = new Map<BranchState, Int32Array>();
    for (let i = 0; i < this.branches.length; i++) {
      const b = this.branches[i]!;
      if (!b.counterOf) continue;
      const off = (cols[i] as { offsets: Int32Array }).offsets;
      const c = b.counterOf!;
      if (checked.get(c) === off) continue;
      checked.set(c, off);
      const ci = this.branches.indexOf(c);
      let counts = (cols[ci] as NumericArray | undefined) ?? derived.get(c);
      if (!counts) {
        counts = c.spec.dtype === 'int32' ? new Int32Array(n) : new Uint32Array(n);
        for (let e = 0; e < n; e++) counts[e] = off[e + 1]! - off[e]!;
        derived.set(c, counts);
        cols[ci] = counts;
      }
      const cnt = counts as Int32Array | Uint32Array;
      for (let e = 0; e < n; e++) {
        if (off[e + 1]! - off[e]! !== cnt[e]) {
          throw new Error(`${where(b)}: entry ${this.entries + e} has ${off[e + 1]! - off[e]!} items but counter '${c.spec.name}' says ${cnt[e]}`);
        }
      }
    }
    for (let i = 0; i < this.branches.length; i++) {
      const b = this.branches[i]!;
      if (!b.isCounter) continue;
      const cnt = cols[i] as Int32Array | Uint32Array;
      let m = b.maxCount;
      for (let e = 0; e < n; e++) if (cnt[e]! > m) m = cnt[e]!;
      b.maxCount = m;
    }
    return cols as Column[];
  }

  /** Flushes the remaining baskets and writes the TTree key. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flushAll();
    await this.drain(0);
    const classes = new Set<string>(['TBranch']);
    for (const br of this.branches) {
      const leaf = leafCodes[br.spec.dtype];
      if (br.vector) classes.add('TBranchElement').add('TLeafElement').add(leaf.vector);
      else classes.add(leaf.cls);
    }
    this.onClose(this, this.title, (keylen) => this.metadata(keylen), [...classes]);
  }

  private metadata(keylen: number): Uint8Array {
    const b = new WBuffer(keylen, 4096 + 1024 * this.branches.length);
    let totBytes = 0, zipBytes = 0;
    for (const br of this.branches) { totBytes += br.totBytes; zipBytes += br.zipBytes; }
    const at = b.startVersion(classVersion('TTree'));
    writeTNamed(b, this.name, this.title);
    writeTAttLine(b, 602);
    writeTAttFill(b, 0, 1001);
    writeTAttMarker(b);
    b.i64(this.entries).i64(totBytes).i64(zipBytes).i64(zipBytes).i64(zipBytes); // ..., fSavedBytes, fFlushedBytes
    b.f64(1).i32(0).i32(25).i32(0).i32(1000).i32(0); // fWeight, fTimerInterval, fScanField, fUpdate, fDefaultEntryOffsetLen, fNClusterRange
    b.i64(1e12).i64(1e12).i64(0).i64(-300_000_000).i64(this.clusterEntries).i64(1_000_000); // fMaxEntries .. fEstimate
    b.u8(0).u8(0); // fClusterRangeEnd, fClusterSize: none (fAutoFlush defines the clusters)
    b.raw(IO_FEATURES);
    const branches = b.startVersion(3);
    writeTObject(b);
    b.tstring('').i32(this.branches.length).i32(0);
    for (const br of this.branches) {
      if (br.vector) b.objectAny('TBranchElement', br, () => this.writeBranchElement(b, br));
      else b.objectAny('TBranch', br, () => this.writeBranch(b, br));
    }
    b.endVersion(branches);
    const leaves = b.startVersion(3);
    writeTObject(b);
    b.tstring('').i32(this.branches.length).i32(0);
    for (const br of this.branches) b.objectRef(br.leaf);
    b.endVersion(leaves);
    b.u32(0).i32(0).i32(0).u32(0).u32(0).u32(0).u32(0); // fAliases, fIndexValues, fIndex, fTreeIndex, fFriends, fUserInfo, fBranchRef
    b.endVersion(at);
    return b.finish();
  }

  /** A std::vector<T> branch: TBranchElement (top-level STL collection: fID -1, fType 0,
   *  fStreamerType -1) around the TBranch part. */
  private writeBranchElement(b: WBuffer, br: BranchState): void {
    const cls = leafCodes[br.spec.dtype].vector;
    const at = b.startVersion(classVersion('TBranchElement'));
    this.writeBranch(b, br);
    b.tstring(cls).tstring('').tstring(''); // fClassName, fParentName, fClonesName
    b.u32(vectorChecksum(cls)).i16(classVersion(cls)); // fCheckSum, fClassVersion
    b.i32(-1).i32(0).i32(-1).i32(0); // fID, fType, fStreamerType, fMaximum
    b.u32(0).u32(0); // fBranchCount, fBranchCount2
    b.endVersion(at);
  }

  private writeBranch(b: WBuffer, br: BranchState): void {
    const leaf = leafCodes[br.spec.dtype];
    const dims = leafDims(br);
    const at = b.startVersion(classVersion('TBranch'));
    const title = br.spec.title ?? (br.vector ? br.spec.name : `${br.spec.name}${dims}/${leaf.code}`);
    writeTNamed(b, br.spec.name, title, kObjectBits | 0x00400000);
    writeTAttFill(b, 0, 1001);
    const nb = br.basketSeek.length;
    b.i32(compressionSetting(this.compression)).i32(32000).i32(br.jagged ? 1000 : 0).i32(nb).i64(br.entries);
    b.raw(IO_FEATURES);
    b.i32(0).i32(nb + 1).i32(br.vector ? 99 : 0).i64(br.entries).i64(0).i64(br.totBytes).i64(br.zipBytes); // fOffset, fMaxBaskets, fSplitLevel, ...
    writeEmptyTObjArray(b); // fBranches
    const leaves = b.startVersion(3);
    writeTObject(b);
    b.tstring('').i32(1).i32(0);
    if (br.vector) b.objectAny('TLeafElement', br.leaf, () => this.writeLeafElement(b, br));
    else b.objectAny(leaf.cls, br.leaf, () => this.writeLeaf(b, br));
    b.endVersion(leaves);
    writeEmptyTObjArray(b); // fBaskets: all written to the file
    b.u8(1).i32array(br.basketBytes).i32(0);
    b.u8(1).i64array(br.basketEntry).i64(br.entries);
    b.u8(1).i64array(br.basketSeek).i64(0);
    b.tstring(''); // fFileName
    b.endVersion(at);
  }

  private writeLeafElement(b: WBuffer, br: BranchState): void {
    const at = b.startVersion(classVersion('TLeafElement'));
    const base = b.startVersion(classVersion('TLeaf'));
    writeTNamed(b, br.spec.name, br.spec.name);
    b.i32(1).i32(4).i32(0).bool(false).bool(false).u32(0); // fLen, fLenType, fOffset, fIsRange, fIsUnsigned, fLeafCount
    b.endVersion(base);
    b.i32(-1).i32(-1); // fID, fType
    b.endVersion(at);
  }

  private writeLeaf(b: WBuffer, br: BranchState): void {
    const leaf = leafCodes[br.spec.dtype];
    const at = b.startVersion(classVersion(leaf.cls));
    const base = b.startVersion(classVersion('TLeaf'));
    writeTNamed(b, br.spec.name, `${br.spec.name}${leafDims(br)}`);
    b.i32(br.perEntry).i32(br.itemsize).i32(0).bool(br.isCounter).bool(leaf.unsigned);
    if (br.counterOf) b.objectRef(br.counterOf.leaf); else b.u32(0);
    b.endVersion(base);
    const max = br.isCounter ? br.maxCount : 0;
    switch (leaf.cls) {
      case 'TLeafO': case 'TLeafB': b.u8(0).u8(max); break;
      case 'TLeafS': b.i16(0).i16(max); break;
      case 'TLeafI': b.i32(0).i32(max); break;
      case 'TLeafL': b.i64(0).i64(max); break;
      case 'TLeafF': b.f32(0).f32(max); break;
      default: b.f64(0).f64(max);
    }
    b.endVersion(at);
  }
}

/** The leaf's dimensions as ROOT writes them in titles: `[nJet]` or `[2][3]`. */
function leafDims(br: BranchState): string {
  if (br.counterOf) return `[${br.spec.counter}]`;
  return (br.spec.shape ?? []).map((d) => `[${d}]`).join('');
}

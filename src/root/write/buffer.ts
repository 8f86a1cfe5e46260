// A growable big-endian output buffer with ROOT's TBuffer conventions: byte counts, versions,
// TStrings, and the class/object tag map that WriteObjectAny uses for references.

export const kByteCountMask = 0x40000000;
export const kClassMask = 0x80000000;
export const kNewClassTag = 0xffffffff;
export const kMapOffset = 2;

export class WBuffer {
  private bytes: Uint8Array;
  private view: DataView;
  pos = 0;
  /** Added to buffer positions in tags: the key length when the buffer is a key's payload, since
   *  ROOT's tags count from the start of the key. */
  readonly displacement: number;
  private readonly classTags = new Map<string, number>();
  private readonly objectTags = new Map<object, number>();

  constructor(displacement = 0, capacity = 1024) {
    this.displacement = displacement;
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this { this.ensure(1); this.view.setUint8(this.pos, v); this.pos += 1; return this; }
  i8(v: number): this { this.ensure(1); this.view.setInt8(this.pos, v); this.pos += 1; return this; }
  u16(v: number): this { this.ensure(2); this.view.setUint16(this.pos, v); this.pos += 2; return this; }
  i16(v: number): this { this.ensure(2); this.view.setInt16(this.pos, v); this.pos += 2; return this; }
  u32(v: number): this { this.ensure(4); this.view.setUint32(this.pos, v >>> 0); this.pos += 4; return this; }
  i32(v: number): this { this.ensure(4); this.view.setInt32(this.pos, v); this.pos += 4; return this; }
  i64(v: number | bigint): this { this.ensure(8); this.view.setBigInt64(this.pos, BigInt(v)); this.pos += 8; return this; }
  u64(v: number | bigint): this { this.ensure(8); this.view.setBigUint64(this.pos, BigInt(v)); this.pos += 8; return this; }
  f32(v: number): this { this.ensure(4); this.view.setFloat32(this.pos, v); this.pos += 4; return this; }
  f64(v: number): this { this.ensure(8); this.view.setFloat64(this.pos, v); this.pos += 8; return this; }
  bool(v: boolean): this { return this.u8(v ? 1 : 0); }

  raw(b: Uint8Array): this { this.ensure(b.length); this.bytes.set(b, this.pos); this.pos += b.length; return this; }

  /** ROOT TString: one length byte, or 255 then a 4-byte length. */
  tstring(s: string): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length < 255) this.u8(b.length);
    else this.u8(255).u32(b.length);
    return this.raw(b);
  }

  cstring(s: string): this { return this.raw(Buffer.from(s, 'utf8')).u8(0); }

  f64array(a: ArrayLike<number>): this { for (let i = 0; i < a.length; i++) this.f64(a[i]!); return this; }
  f32array(a: ArrayLike<number>): this { for (let i = 0; i < a.length; i++) this.f32(a[i]!); return this; }
  i32array(a: ArrayLike<number>): this { for (let i = 0; i < a.length; i++) this.i32(a[i]!); return this; }
  i64array(a: ArrayLike<number>): this { for (let i = 0; i < a.length; i++) this.i64(a[i]!); return this; }

  /** Opens a `bytecount | version` header; close it with endVersion(handle). */
  startVersion(version: number): number {
    const at = this.pos;
    this.u32(0).i16(version);
    return at;
  }

  endVersion(at: number): void {
    this.view.setUint32(at, ((this.pos - at - 4) | kByteCountMask) >>> 0);
  }

  patchU32(at: number, v: number): void { this.view.setUint32(at, v >>> 0); }

  /** The tag under which the object starting at `at` (its byte count) is known to later references. */
  tagAt(at: number): number { return at + this.displacement + kMapOffset; }

  /** WriteObjectAny: null, a reference to an object already in this buffer, or byte count +
   *  class tag (new or reference) + the object written by `body`. */
  objectAny(className: string, obj: object | null, body: (b: WBuffer) => void): this {
    if (obj === null) return this.u32(0);
    const seen = this.objectTags.get(obj);
    if (seen !== undefined) return this.u32(seen);
    const at = this.pos;
    this.u32(0);
    const classTag = this.classTags.get(className);
    if (classTag !== undefined) this.u32((classTag | kClassMask) >>> 0);
    else {
      this.classTags.set(className, this.tagAt(this.pos));
      this.u32(kNewClassTag).cstring(className);
    }
    this.objectTags.set(obj, this.tagAt(at));
    body(this);
    this.view.setUint32(at, ((this.pos - at - 4) | kByteCountMask) >>> 0);
    return this;
  }

  /** A reference to an object written earlier in this buffer (TTree::fLeaves, TLeaf::fLeafCount). */
  objectRef(obj: object): this {
    const tag = this.objectTags.get(obj);
    if (tag === undefined) throw new Error('ROOT writer: reference to an object not yet written');
    return this.u32(tag);
  }

  get length(): number { return this.pos; }

  /** The written bytes (a view, valid until the next write). */
  written(): Uint8Array { return this.bytes.subarray(0, this.pos); }

  /** A copy of the written bytes. */
  finish(): Uint8Array { return this.bytes.slice(0, this.pos); }
}

// An XRootD file opened read-only: kXR_open (following redirects to the data server), kXR_read,
// kXR_readv within the server's limits, kXR_close. A lost connection or transient server error
// re-opens the file (from the original URL) and repeats the request; a file whose size changed
// in between is an error rather than silently mixed bytes.
import { Buffer } from 'node:buffer';
import type { Reply } from './connection.ts';
import { XrdServerError, XrdTransportError } from './errors.ts';
import { located, parseStat, resolveOptions, withRetry, type Located, type ResolvedOptions, type XrdOptions, type XrdStat } from './client.ts';
import { OPEN_READ, OPEN_RETSTAT, READV_ELEMENT_HEADER, REQ, STATUS, STAT_IS_DIR, bodyText } from './protocol.ts';
import type { XrdUrl } from './url.ts';

export interface ReadvElement {
  offset: number;
  length: number;
}

/** Request counters: round trips and payload bytes, for the run's I/O figures. */
export interface XrdCounters {
  requests: number;
  readvRequests: number;
  bytes: number;
}

interface Handle extends Located {
  fhandle: Buffer;
}

export class XrdFile {
  readonly counters: XrdCounters = { requests: 0, readvRequests: 0, bytes: 0 };
  private handle: Handle | undefined;
  private opening: Promise<Handle> | undefined;
  /** Opened once: a later open (after a lost connection) must find the same file. */
  private opened = false;

  readonly url: XrdUrl;
  stat: XrdStat;
  private readonly o: ResolvedOptions;

  private constructor(url: XrdUrl, o: ResolvedOptions, stat: XrdStat) {
    this.url = url;
    this.o = o;
    this.stat = stat;
  }

  static async open(url: XrdUrl, opts: XrdOptions = {}): Promise<XrdFile> {
    const o = resolveOptions(opts);
    const f = new XrdFile(url, o, { id: '', size: 0, flags: 0, mtime: 0 });
    await withRetry(o, () => f.ensureOpen());
    return f;
  }

  get size(): number {
    return this.stat.size;
  }

  private ensureOpen(): Promise<Handle> {
    if (this.handle?.conn.alive) return Promise.resolve(this.handle);
    this.handle = undefined;
    this.opening ??= this.openHandle().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async openHandle(): Promise<Handle> {
    const at = await located(this.url, this.o, (conn, p) =>
      conn.request(REQ.open, (q) => q.writeUInt16BE(OPEN_READ | OPEN_RETSTAT, 2), Buffer.from(p)));
    this.counters.requests++;
    const body = at.reply.body;
    let st = parseStat(body.length > 12 ? bodyText(body, 12) : '');
    if (!Number.isFinite(st.size)) {
      // no stat with the open (an old server): kXR_stat of the open handle (no path)
      const r = answered(await at.conn.request(REQ.stat, (q) => body.copy(q, 12, 0, 4)));
      st = parseStat(bodyText(r.body));
    }
    if (st.flags & STAT_IS_DIR) throw new XrdServerError(3016, 'is a directory');
    if (this.opened && Number.isFinite(st.size) && st.size !== this.stat.size) {
      throw new XrdServerError(3005, `file changed on the server while being read (size ${this.stat.size} -> ${st.size})`);
    }
    if (Number.isFinite(st.size)) this.stat = st;
    this.opened = true;
    const h: Handle = { conn: at.conn, host: at.host, port: at.port, path: at.path, cgi: at.cgi, fhandle: Buffer.from(body.subarray(0, 4)) };
    this.handle = h;
    return h;
  }

  /** Where the data comes from (the data server after redirects). */
  get dataServer(): string | undefined {
    return this.handle ? `${this.handle.host}:${this.handle.port}` : undefined;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return withRetry(this.o, async () => {
      const h = await this.ensureOpen();
      const r = await h.conn.request(REQ.read, (p) => {
        h.fhandle.copy(p, 0);
        p.writeBigInt64BE(BigInt(offset), 4);
        p.writeInt32BE(length, 12);
      });
      this.counters.requests++;
      answered(r);
      this.counters.bytes += r.body.length;
      if (r.body.length !== length) throw new XrdServerError(3007, `read of ${length} bytes at ${offset} returned ${r.body.length} (file truncated?)`);
      return r.body;
    }, () => (this.handle = undefined));
  }

  /** kXR_readv of `elements` (any sizes): pieces within the server's limits (at most
   *  `elements` per request, each at most `elementBytes`), all requests sent at once over the one
   *  connection. One buffer per element, in order. */
  async readv(elements: ReadvElement[]): Promise<Buffer[]> {
    return withRetry(this.o, async () => {
      const h = await this.ensureOpen();
      const limits = await h.conn.readvLimits();
      const pieces: ReadvElement[] = [];
      const firstPiece: number[] = [];
      for (const e of elements) {
        firstPiece.push(pieces.length);
        for (let at = 0; at < e.length || at === 0; at += limits.elementBytes) {
          pieces.push({ offset: e.offset + at, length: Math.min(limits.elementBytes, e.length - at) });
        }
      }
      const batches: ReadvElement[][] = [];
      for (let i = 0; i < pieces.length; i += limits.elements) batches.push(pieces.slice(i, i + limits.elements));
      const got = (await Promise.all(batches.map((b) => this.readvBatch(h, b)))).flat();
      return elements.map((_, k) => {
        const end = k + 1 < elements.length ? firstPiece[k + 1]! : pieces.length;
        return end - firstPiece[k]! === 1 ? got[firstPiece[k]!]! : Buffer.concat(got.slice(firstPiece[k]!, end));
      });
    }, () => (this.handle = undefined));
  }

  private async readvBatch(h: Handle, elements: ReadvElement[]): Promise<Buffer[]> {
    const list = Buffer.alloc(elements.length * READV_ELEMENT_HEADER);
    elements.forEach((e, i) => {
      const at = i * READV_ELEMENT_HEADER;
      h.fhandle.copy(list, at);
      list.writeInt32BE(e.length, at + 4);
      list.writeBigInt64BE(BigInt(e.offset), at + 8);
    });
    const r = answered(await h.conn.request(REQ.readv, () => {}, list));
    this.counters.requests++;
    this.counters.readvRequests++;
    return splitReadv(r.body, elements, this.counters);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (!h?.conn.alive) return;
    await h.conn.request(REQ.close, (p) => h.fhandle.copy(p, 0)).catch(() => undefined);
  }
}

/** A data request answered with anything but data (a redirect of an open file: the server wants
 *  the client elsewhere) is retried by opening the file again from its URL. */
function answered(r: Reply): Reply {
  if (r.status !== STATUS.ok) throw new XrdTransportError(`server answered a request on an open file with status ${r.status} (redirect): opening it again`);
  return r;
}

/** The readv answer is, per element, its 16-byte header (fhandle, rlen, offset) and rlen bytes. */
function splitReadv(body: Buffer, elements: ReadvElement[], counters: XrdCounters): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const e of elements) {
    if (at + READV_ELEMENT_HEADER > body.length) throw new XrdServerError(3007, `readv answer ended after ${out.length} of ${elements.length} elements`);
    const rlen = body.readInt32BE(at + 4);
    const offset = Number(body.readBigInt64BE(at + 8));
    at += READV_ELEMENT_HEADER;
    if (offset !== e.offset || rlen !== e.length || at + rlen > body.length) {
      throw new XrdServerError(3007, `readv element at ${e.offset} (${e.length} bytes) answered with ${rlen} bytes at ${offset} (file truncated?)`);
    }
    out.push(body.subarray(at, at + rlen));
    at += rlen;
  }
  counters.bytes += at - elements.length * READV_ELEMENT_HEADER;
  return out;
}

// root:// files through the XRootD client (src/root/read/xrootd): the ranges of one read (a
// chunk's baskets of all requested branches) are coalesced and sent as kXR_readv, one round trip
// when they fit the server's readv limits (element count and size), several in parallel on the
// shared connection when not. A single span goes as kXR_read.
import { UserError } from '../../errors.ts';
import { countRead } from '../../read-counter.ts';
import { coalesceRanges } from './coalesce.ts';
import type { ByteRange, ByteSource, SourceOptions } from './byte-source.ts';
import { XrdClientError, XrdServerError, XrdTransportError } from './xrootd/errors.ts';
import { XrdFile } from './xrootd/file.ts';
import { parseXrdUrl } from './xrootd/url.ts';

/** A readv element costs a 16-byte header, not a round trip: only close ranges are merged. */
const MAX_GAP = 16 * 1024;
/** Spans the readv splits into elements of the server's size limit anyway; this keeps one span's
 *  copy small. */
const MAX_SPAN = 8 * 1024 * 1024;

/** One line naming the URL: `root://host:port//path: kXR_NotFound: no such file`. */
export function xrdUserError(url: string, err: unknown): Error {
  if (err instanceof XrdServerError || err instanceof XrdTransportError || err instanceof XrdClientError) return new UserError(`${url}: ${err.message}`, { cause: err });
  return err as Error;
}

export class XrootdSource implements ByteSource {
  readonly name: string;
  private readonly file: XrdFile;

  private constructor(name: string, file: XrdFile) {
    this.name = name;
    this.file = file;
  }

  static async open(url: string, opts: SourceOptions): Promise<XrootdSource> {
    try {
      return new XrootdSource(url, await XrdFile.open(parseXrdUrl(url), { retries: opts.retries, timeoutMs: opts.timeoutMs }));
    } catch (err) {
      throw xrdUserError(url, err);
    }
  }

  /** Round trips and payload bytes so far. */
  get counters(): { requests: number; readvRequests: number; bytes: number } {
    return this.file.counters;
  }

  async size(): Promise<number> {
    return this.file.size;
  }

  async read(ranges: ByteRange[]): Promise<Uint8Array[]> {
    const size = this.file.size;
    for (const r of ranges) {
      if (r.offset < 0 || r.offset + r.length > size) {
        throw new UserError(`${this.name}: file is truncated or corrupt: bytes ${r.offset}..${r.offset + r.length} requested, file has ${size}`);
      }
    }
    const spans = coalesceRanges(ranges, MAX_GAP, MAX_SPAN);
    let parts: Uint8Array[];
    const before = this.file.counters.requests;
    try {
      parts = spans.length === 1 ? [await this.file.read(spans[0]!.offset, spans[0]!.length)] : await this.file.readv(spans);
    } catch (err) {
      throw xrdUserError(this.name, err);
    }
    countRead(spans.reduce((n, s) => n + s.length, 0), this.file.counters.requests - before);
    const out = new Array<Uint8Array>(ranges.length);
    spans.forEach((s, k) => {
      for (const i of s.members) {
        const r = ranges[i]!;
        out[i] = parts[k]!.subarray(r.offset - s.offset, r.offset - s.offset + r.length);
      }
    });
    return out;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

// HTTP(S) files via range requests: nearby ranges merged into few requests, a few in parallel,
// retried with exponential backoff on network errors, timeouts and 5xx.
import { UserError } from '../../errors.ts';
import { readCoalesced, type ByteRange, type ByteSource, type SourceOptions } from './source.ts';

/** Over HTTP a round trip costs about as much as a few hundred kB of transfer. */
const MAX_GAP = 256 * 1024;
/** Spans stay below this so one request fits its timeout on a slow link and several run at once. */
const MAX_SPAN = 8 * 1024 * 1024;
const PARALLEL = 4;

export class HttpSource implements ByteSource {
  readonly name: string;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private bytes = -1;
  /** Set when the server ignores Range and sends the whole file. */
  private whole: Uint8Array | undefined;

  private constructor(url: string, opts: SourceOptions) {
    this.name = url;
    this.retries = opts.retries ?? 3;
    this.timeoutMs = opts.timeoutMs ?? 30000;
  }

  static async open(url: string, opts: SourceOptions): Promise<HttpSource> {
    const src = new HttpSource(url, opts);
    await src.size();
    return src;
  }

  async size(): Promise<number> {
    if (this.bytes >= 0) return this.bytes;
    const res = await this.request({ Range: 'bytes=0-0' });
    if (res.status === 206) {
      const total = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
      await res.arrayBuffer();
      if (!total) throw new UserError(`${this.name}: server did not report the file size (Content-Range: ${res.headers.get('content-range')})`);
      this.bytes = Number(total[1]);
    } else {
      this.whole = new Uint8Array(await res.arrayBuffer());
      this.bytes = this.whole.length;
    }
    return this.bytes;
  }

  async read(ranges: ByteRange[]): Promise<Uint8Array[]> {
    const size = await this.size();
    for (const r of ranges) {
      if (r.offset < 0 || r.offset + r.length > size) {
        throw new UserError(`${this.name}: file is truncated or corrupt: bytes ${r.offset}..${r.offset + r.length} requested, file has ${size}`);
      }
    }
    const whole = this.whole;
    if (whole) return ranges.map((r) => whole.subarray(r.offset, r.offset + r.length));
    return readCoalesced(ranges, MAX_GAP, PARALLEL, (offset, length) => this.readSpan(offset, length), MAX_SPAN);
  }

  private async readSpan(offset: number, length: number): Promise<Uint8Array> {
    const res = await this.request({ Range: `bytes=${offset}-${offset + length - 1}` });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) {
      this.whole = body; // Range ignored: keep the full body for later reads too
      return body.subarray(offset, offset + length);
    }
    if (body.length !== length) {
      throw new UserError(`${this.name}: range ${offset}-${offset + length - 1} returned ${body.length} bytes instead of ${length}`);
    }
    return body;
  }

  /** One GET with retries; resolves with a 200 or 206 response, throws UserError otherwise. */
  private async request(headers: Record<string, string>): Promise<Response> {
    let lastError = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
      let res: Response;
      try {
        res = await fetch(this.name, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        const e = err as Error;
        lastError = e.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : `${e.message}${e.cause ? ` (${(e.cause as Error).message ?? e.cause})` : ''}`;
        continue;
      }
      if (res.status === 200 || res.status === 206) return res;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 500 || res.status === 429) {
        lastError = `HTTP ${res.status} ${res.statusText}`;
        continue;
      }
      if (res.status === 404) throw new UserError(`${this.name}: HTTP 404 not found`);
      if (res.status === 416) throw new UserError(`${this.name}: HTTP 416 range not satisfiable (file shorter than expected: truncated?)`);
      throw new UserError(`${this.name}: HTTP ${res.status} ${res.statusText}`);
    }
    throw new UserError(`${this.name}: request failed after ${this.retries + 1} attempts: ${lastError}`);
  }

  async close(): Promise<void> {
    this.whole = undefined;
  }
}

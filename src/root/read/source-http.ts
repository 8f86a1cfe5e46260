// HTTP(S) files via range requests: nearby ranges merged into few requests, a few in parallel,
// each retried as a whole with exponential backoff on any failure up to its last byte.
import { UserError } from '../../errors.ts';
import { readCoalesced } from './coalesce.ts';
import type { ByteRange, ByteSource, SourceOptions } from './byte-source.ts';

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
    const got = await this.fetchWithRetries('bytes=0-0', (status, body, headers) => {
      if (status !== 206) return undefined; // Range ignored: the body is the whole file
      if (!/\/(\d+)\s*$/.test(headers.get('content-range') ?? '')) throw new UserError(`${this.name}: server did not report the file size (Content-Range: ${headers.get('content-range')})`);
      return body.length === 1 ? undefined : `${body.length} bytes instead of 1`;
    });
    if (got.status === 206) this.bytes = Number(/\/(\d+)\s*$/.exec(got.headers.get('content-range')!)![1]);
    else {
      this.whole = got.body;
      this.bytes = got.body.length;
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
    const got = await this.fetchWithRetries(`bytes=${offset}-${offset + length - 1}`, (status, body) => {
      const want = status === 200 ? this.bytes : length; // 200: Range ignored, the whole file
      return body.length === want ? undefined : `${body.length} bytes instead of ${want}`;
    });
    if (got.status === 200) {
      this.whole = got.body; // Range ignored: keep the full body for later reads too
      return got.body.subarray(offset, offset + length);
    }
    return got.body;
  }

  /** One range GET, retried as a whole (headers and body) on any failure up to its last byte: a
   *  network error before or during the body, a timeout (a stalled body included), a 5xx or 429,
   *  or a body whose length `check` refuses. Back-off doubles from 100 ms. After the last attempt
   *  one UserError naming the URL, the range and the last cause. `check` returns why a complete
   *  body is wrong, or undefined. */
  private async fetchWithRetries(
    range: string,
    check: (status: number, body: Uint8Array, headers: Headers) => string | undefined,
  ): Promise<{ status: number; body: Uint8Array; headers: Headers }> {
    let lastError = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 5000)));
      let status: number;
      let body: Uint8Array;
      let headers: Headers;
      try {
        // the timeout covers the body too: a server that stalls mid-body is aborted and retried
        const res = await fetch(this.name, { headers: { Range: range }, signal: AbortSignal.timeout(this.timeoutMs) });
        status = res.status;
        headers = res.headers;
        if (status !== 200 && status !== 206) {
          await res.arrayBuffer().catch(() => undefined);
          const fatal = httpStatusError(this.name, status, res.statusText);
          if (fatal) throw fatal;
          lastError = `HTTP ${status} ${res.statusText}`.trim();
          continue;
        }
        body = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        if (err instanceof UserError) throw err;
        lastError = networkCause(err as Error, this.timeoutMs);
        continue;
      }
      const wrong = check(status, body, headers);
      if (wrong === undefined) return { status, body, headers };
      lastError = `the response had ${wrong}`;
    }
    throw new UserError(`${this.name}: range ${range} failed after ${this.retries + 1} attempts: ${lastError}`);
  }

  async close(): Promise<void> {
    this.whole = undefined;
  }
}

/** A status that no retry can change (404, 416, other 4xx), as the UserError to throw. */
function httpStatusError(url: string, status: number, statusText: string): UserError | undefined {
  if (status >= 500 || status === 429 || status === 408) return undefined;
  if (status === 404) return new UserError(`${url}: HTTP 404 not found`);
  if (status === 416) return new UserError(`${url}: HTTP 416 range not satisfiable (file shorter than expected: truncated?)`);
  return new UserError(`${url}: HTTP ${status} ${statusText}`.trimEnd());
}

/** One line for a failed fetch or body read (undici hides the reason in `cause`). */
function networkCause(e: Error, timeoutMs: number): string {
  if (e.name === 'TimeoutError') return `no complete answer within ${timeoutMs} ms`;
  const cause = e.cause as { code?: string; message?: string } | undefined;
  const why = cause?.code ?? cause?.message;
  return `${e.message}${why && why !== e.message ? ` (${why})` : ''}`;
}

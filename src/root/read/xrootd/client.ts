// The XRootD client: one connection per host:port shared by every file and request of the
// thread, redirects followed (kXR_redirect, at most `maxRedirects`), transport failures and
// transient server errors retried on a new connection with exponential back-off.
import { DEFAULT_AUTH, type XrdAuthProtocol } from './auth.ts';
import { XrdConnection, type Reply } from './connection.ts';
import { XrdClientError, isRetryable, withAttempts } from './errors.ts';
import { REQ, STATUS, bodyText } from './protocol.ts';
import { joinCgi, pathWithCgi, type XrdUrl } from './url.ts';

export interface XrdOptions {
  /** Per-request answer timeout and connect timeout, ms (default 30000). */
  timeoutMs?: number;
  /** Attempts after the first on transport errors and transient server errors (default 3). */
  retries?: number;
  /** Redirects followed per request (default 16). */
  maxRedirects?: number;
  /** First back-off delay, ms; doubles per attempt (default 200). */
  backoffMs?: number;
  auth?: readonly XrdAuthProtocol[];
}

export interface ResolvedOptions {
  timeoutMs: number;
  retries: number;
  maxRedirects: number;
  backoffMs: number;
  auth: readonly XrdAuthProtocol[];
}

export function resolveOptions(o: XrdOptions = {}): ResolvedOptions {
  const env = (k: string) => (process.env[k] !== undefined && process.env[k] !== '' ? Number(process.env[k]) : undefined);
  return {
    timeoutMs: o.timeoutMs ?? env('HEPFLOW_XRD_TIMEOUT_MS') ?? 30_000,
    retries: o.retries ?? env('HEPFLOW_XRD_RETRIES') ?? 3,
    maxRedirects: o.maxRedirects ?? 16,
    backoffMs: o.backoffMs ?? env('HEPFLOW_XRD_BACKOFF_MS') ?? 200,
    auth: o.auth ?? DEFAULT_AUTH,
  };
}

/** Where a request ended up after redirects: the connection that answered and the path there. */
export interface Located {
  conn: XrdConnection;
  host: string;
  port: number;
  path: string;
  cgi: string;
}

const connections = new Map<string, Promise<XrdConnection>>();

/** The thread's connection to host:port, opened (or re-opened after a failure) on demand. */
export async function connection(host: string, port: number, o: ResolvedOptions): Promise<XrdConnection> {
  const key = `${host}:${port}`;
  const existing = connections.get(key);
  if (existing) {
    const c = await existing.catch(() => undefined);
    if (c?.alive) return c;
    if (connections.get(key) !== existing) return connection(host, port, o);
  }
  const opening = XrdConnection.open(host, port, { timeoutMs: o.timeoutMs, auth: o.auth });
  connections.set(key, opening);
  opening.catch(() => {
    if (connections.get(key) === opening) connections.delete(key);
  });
  return opening;
}

/** Closes every connection of this thread (tests, shutdown). */
export async function closeAllConnections(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  for (const c of all) (await c.catch(() => undefined))?.close();
}

/** Parses a kXR_redirect body: port, then `host[?cgi]` or a full URL. */
export function parseRedirect(body: Buffer): { host: string; port: number; path?: string; cgi: string } {
  const port = body.readInt32BE(0);
  const text = bodyText(body, 4);
  const full = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?]+)(?::(\d+))?(\/[^?]*)?(?:\?(.*))?$/i.exec(text);
  if (full) {
    const path = full[3] ? '/' + full[3].replace(/^\/+/, '') : undefined;
    return { host: full[1]!.replace(/^\[|\]$/g, ''), port: full[2] ? Number(full[2]) : port, ...(path && path !== '/' ? { path } : {}), cgi: full[4] ?? '' };
  }
  const q = text.indexOf('?');
  return { host: q < 0 ? text : text.slice(0, q), port, cgi: q < 0 ? '' : text.slice(q + 1) };
}

/** Sends a path request (built by `send` from the connection and the path with its CGI) to the
 *  URL's server, following redirects to the server that answers. */
export async function located(url: XrdUrl, o: ResolvedOptions, send: (conn: XrdConnection, pathCgi: string) => Promise<Reply>): Promise<Located & { reply: Reply }> {
  let { host, port, path, cgi } = url;
  for (let hop = 0; hop <= o.maxRedirects; hop++) {
    const conn = await connection(host, port, o);
    const reply = await send(conn, pathWithCgi(path, cgi));
    if (reply.status !== STATUS.redirect) return { conn, host, port, path, cgi, reply };
    const r = parseRedirect(reply.body);
    if (r.port <= 0 && !r.host) throw new XrdClientError(`${host}:${port} sent an empty redirect`);
    ({ host, port } = r);
    path = r.path ?? path;
    cgi = joinCgi(url.cgi, r.cgi);
  }
  throw new XrdClientError(`more than ${o.maxRedirects} redirects (last to ${host}:${port})`);
}

/** Runs `op`, retrying on retryable errors with exponential back-off. `onRetry` (e.g. forget a
 *  file handle of the lost connection) runs before each new attempt. */
export async function withRetry<T>(o: ResolvedOptions, op: (attempt: number) => Promise<T>, onRetry?: () => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= o.retries) {
        throw attempt === 0 ? err : withAttempts(err, attempt + 1);
      }
      onRetry?.();
      await new Promise((r) => setTimeout(r, o.backoffMs * 2 ** attempt));
    }
  }
}

export interface XrdStat {
  /** Server's file id (inode-like), as text. */
  id: string;
  size: number;
  flags: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

/** "id size flags mtime" (kXR_stat, kXR_open with kXR_retstat). */
export function parseStat(text: string): XrdStat {
  const [id = '', size = 'NaN', flags = '0', mtime = '0'] = text.replace(/\0.*$/s, '').trim().split(/\s+/);
  return { id, size: Number(size), flags: Number(flags), mtime: Number(mtime) };
}

export async function stat(url: XrdUrl, opts: XrdOptions = {}): Promise<XrdStat> {
  const o = resolveOptions(opts);
  return withRetry(o, async () => {
    const { reply } = await located(url, o, (conn, p) => conn.request(REQ.stat, () => {}, Buffer.from(p)));
    return parseStat(bodyText(reply.body));
  });
}

/** kXR_dirlist: the names in a directory (no '.' or '..'). */
export async function dirlist(url: XrdUrl, opts: XrdOptions = {}): Promise<string[]> {
  const o = resolveOptions(opts);
  return withRetry(o, async () => {
    const { reply } = await located(url, o, (conn, p) => conn.request(REQ.dirlist, () => {}, Buffer.from(p)));
    return reply.body.toString('utf8').split('\n').map((s) => s.replace(/\0/g, '')).filter((s) => s !== '' && s !== '.' && s !== '..');
  });
}

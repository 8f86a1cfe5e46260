// Fingerprints of input files, the part of a cache key that says "this input has not changed".
// Local files: absolute path, size, mtime (cheap), plus a content sha256 on demand, memoised by
// path+size+mtime so a second run does not re-read the file. Remote files: URL, size, ETag and
// Last-Modified from one HEAD request.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoTable } from './types.ts';

export interface LocalFingerprint {
  kind: 'local';
  path: string;
  size: number;
  mtimeMs: number;
  /** sha256 hex of the content, present when asked for. */
  sha256?: string;
}

export interface HttpFingerprint {
  kind: 'https';
  url: string;
  size?: number;
  etag?: string;
  lastModified?: string;
}

/** root:// files: what kXR_open (with its stat) reports after redirects; `id` is the server's
 *  file id (inode-like), `mtime` in seconds. */
export interface XrootdFingerprint {
  kind: 'xrootd';
  url: string;
  size?: number;
  mtime?: number;
  id?: string;
}

export type FileFingerprint = LocalFingerprint | HttpFingerprint | XrootdFingerprint;

/** An input file that cannot be fingerprinted (missing, unreadable, HTTP error, timeout). */
export class FingerprintError extends Error {
  override name = 'FingerprintError';
  readonly file: string;
  /** Why, without the file's name. */
  readonly reason: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot fingerprint ${file}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = file;
    this.reason = reason;
  }
}

export interface FingerprintOptions {
  /** Also hash the content (local files). */
  content?: boolean;
  /** Memo table (e.g. `store.memo?.('content-sha256')`) so unchanged files are not re-hashed. */
  memo?: MemoTable;
  /** HEAD request timeout for URLs (default 15 s). */
  timeoutMs?: number;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Fingerprint of a local path, an http(s) URL or a root:// URL. */
export async function fingerprint(file: string, opts: FingerprintOptions = {}): Promise<FileFingerprint> {
  if (isUrl(file)) return fingerprintUrl(file, opts);
  if (/^x?root:\/\//i.test(file)) return fingerprintXrootd(file, opts);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(file)?.[1];
  if (scheme && scheme.toLowerCase() !== 'file') throw new FingerprintError(file, `unsupported URL scheme '${scheme}:' (use http(s)://, root:// or a local path)`);
  return fingerprintLocal(scheme ? fileURLToPath(file) : file, opts);
}

export async function fingerprintLocal(file: string, opts: FingerprintOptions = {}): Promise<LocalFingerprint> {
  const path = resolve(file);
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new FingerprintError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, { cause: err });
  }
  if (!st.isFile()) throw new FingerprintError(path, 'not a regular file');
  const fp: LocalFingerprint = { kind: 'local', path, size: st.size, mtimeMs: st.mtimeMs };
  if (opts.content) fp.sha256 = await contentHash(path, opts.memo, st);
  return fp;
}

/** Streamed sha256 of a file's content, memoised by path + size + mtime (+ inode). */
export async function contentHash(file: string, memo?: MemoTable, known?: { size: number; mtimeMs: number; ino: number }): Promise<string> {
  const path = resolve(file);
  const st = known ?? (await stat(path));
  const memoKey = `${path}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ino}`;
  const hit = memo?.get(memoKey);
  if (typeof hit === 'string') return hit;
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  } catch (err) {
    throw new FingerprintError(path, (err as Error).message, { cause: err });
  }
  const hex = h.digest('hex');
  // only memoise if the file did not change while we read it
  const after = await stat(path);
  if (memo && after.size === st.size && after.mtimeMs === st.mtimeMs) await memo.set(memoKey, hex);
  return hex;
}

/** One HEAD request: size, ETag, Last-Modified. Servers without HEAD support get a ranged GET of
 *  byte 0 (Content-Range tells the size). */
export async function fingerprintUrl(url: string, opts: FingerprintOptions = {}): Promise<HttpFingerprint> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let res: Response;
  try {
    res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 405 || res.status === 501) {
      res = await fetch(url, { method: 'GET', headers: { Range: 'bytes=0-0' }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
    }
  } catch (err) {
    // undici's 'fetch failed' hides why in its cause (DNS, refused connection, TLS)
    const cause = (err as Error).cause as { code?: string; message?: string } | undefined;
    const why = cause?.code ?? cause?.message;
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${(err as Error).message}${why ? ` (${why})` : ''}`;
    throw new FingerprintError(url, reason, { cause: err });
  }
  if (!res.ok) throw new FingerprintError(url, `HTTP ${res.status} ${res.statusText}`.trim());
  const fp: HttpFingerprint = { kind: 'https', url };
  const range = res.headers.get('content-range');
  const total = range ? /\/(\d+)$/.exec(range)?.[1] : res.headers.get('content-length');
  if (total != null && total !== '') fp.size = Number(total);
  const etag = res.headers.get('etag');
  if (etag) fp.etag = etag;
  const lastModified = res.headers.get('last-modified');
  if (lastModified) fp.lastModified = lastModified;
  return fp;
}

/** Opens the file read-only (following redirects: a redirector's own kXR_stat does not always
 *  know the file) and keeps the stat that comes with the open. */
export async function fingerprintXrootd(url: string, opts: FingerprintOptions = {}): Promise<XrootdFingerprint> {
  const { XrdFile } = await import('../src/root/read/xrootd/file.ts');
  const { parseXrdUrl } = await import('../src/root/read/xrootd/url.ts');
  let f;
  try {
    f = await XrdFile.open(parseXrdUrl(url), opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
  } catch (err) {
    throw new FingerprintError(url, (err as Error).message, { cause: err });
  }
  await f.close();
  return { kind: 'xrootd', url, size: f.stat.size, mtime: f.stat.mtime, id: f.stat.id };
}

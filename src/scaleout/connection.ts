// `--executor redis://[user:password@]HOST:PORT[/DB]` (rediss:// for TLS): parse the URL into ioredis
// options and open connections that fail fast with one line naming Redis (bad URL, unreachable
// server, wrong password) instead of retrying forever in the background.
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { UserError } from '../errors.ts';

export interface ExecutorUrl {
  /** The URL with the password masked, for messages and events. */
  shown: string;
  options: RedisOptions;
}

export function parseExecutorUrl(raw: string, flag = '--executor'): ExecutorUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`${flag}: not a URL: "${raw}" (expected redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://...)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(`${flag}: unsupported scheme "${u.protocol.replace(/:$/, '')}" in "${mask(u)}" (expected redis:// or rediss://)`);
  }
  if (!u.hostname) throw new UserError(`${flag}: no host in "${raw}" (expected redis://HOST:PORT)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new UserError(`${flag}: the path of "${mask(u)}" must be a database number (redis://HOST:PORT/DB), got "/${path}"`);
  if ([...u.searchParams.keys()].length) throw new UserError(`${flag}: "${mask(u)}": query parameters are not supported`);
  const options: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path === '' ? 0 : Number(path),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
  return { shown: mask(u), options };
}

function mask(u: URL): string {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href.replace(/\/$/, '');
}

/** Options for long-lived connections (BullMQ workers need maxRetriesPerRequest: null): ioredis
 *  reconnects after a Redis restart; the callers bound how long they wait (watchdogs). */
export function bullOptions(url: ExecutorUrl): ConnectionOptions {
  return { ...(url.options as ConnectionOptions), maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(200 * n, 2000) };
}

/** Connects once, with a deadline: resolves with a ready client or throws one line naming Redis. */
export async function connectChecked(url: ExecutorUrl, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({ ...url.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  let first: unknown; // ioredis reports the cause (ECONNREFUSED...) as an event, connect() only "closed"
  client.on('error', (err) => (first ??= err));
  try {
    await withTimeout(client.connect(), timeoutMs, 'timed out');
    await withTimeout(client.ping(), timeoutMs, 'no answer to PING');
  } catch (err) {
    client.disconnect();
    throw new UserError(`cannot use Redis at ${url.shown}: ${describeRedisError(first ?? err)}`);
  }
  // from here on the client may reconnect (Redis restarted): commands wait for it, for about a
  // minute (30 reconnection attempts), then fail: a Redis gone for good is an error, not a hang
  client.options.retryStrategy = (n) => Math.min(200 * n, 2000);
  client.options.maxRetriesPerRequest = 30;
  client.options.enableOfflineQueue = true;
  return client;
}

export function describeRedisError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { message?: string };
  const msg = String(e?.message ?? err).split('\n')[0]!;
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH.*without any password/i.test(msg)) return `authentication failed (${msg})`;
  if (e?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return 'connection refused (is redis-server running there?)';
  if (e?.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return 'unknown host';
  return msg;
}

/** Rejects after `ms` (ioredis queues commands while Redis is away: every wait on it is bounded). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} after ${ms / 1000}s`)), ms)))]).finally(() => clearTimeout(timer));
}

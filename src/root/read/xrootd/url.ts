// root:// URLs: root://[user@]host[:port]//abs/path[?cgi] (one slash after the host works too).
import { UserError } from '../../../errors.ts';

export interface XrdUrl {
  host: string;
  port: number;
  /** Absolute path on the server, without the CGI. */
  path: string;
  /** Opaque `key=value&...` passed on with the path (tokens, redirector hints), '' if none. */
  cgi: string;
}

export const DEFAULT_PORT = 1094;

export const isXrootdUrl = (s: string): boolean => /^(root|xroot):\/\//i.test(s);

export function parseXrdUrl(url: string): XrdUrl {
  const m = /^(root|xroot|roots|xroots):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?]+)(?::(\d+))?(\/[^?]*)?(?:\?(.*))?$/i.exec(url);
  if (!m) throw new UserError(`${url}: not a root:// URL (root://host[:port]//path)`);
  if (/^x?roots$/i.test(m[1]!)) throw new UserError(`${url}: roots:// (XRootD over TLS) is not supported; use root:// or the server's https:// door`);
  const path = '/' + (m[4] ?? '/').replace(/^\/+/, '');
  return { host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : DEFAULT_PORT, path, cgi: m[5] ?? '' };
}

export function formatXrdUrl(u: XrdUrl): string {
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  return `root://${host}:${u.port}/${u.path}${u.cgi ? `?${u.cgi}` : ''}`;
}

/** Path plus CGI as sent in kXR_open / kXR_stat. */
export function pathWithCgi(path: string, cgi: string): string {
  return cgi ? `${path}?${cgi}` : path;
}

/** Joins two CGI strings (a redirect's opaque data added to the caller's). */
export function joinCgi(a: string, b: string): string {
  return [a, b].filter((s) => s !== '').join('&');
}

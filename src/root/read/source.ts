// Byte-range sources: where a ROOT file's bytes come from (local file, HTTP range requests, XRootD).
// The factory only: the interface is byte-source.ts, the shared range coalescing coalesce.ts.
import { UserError } from '../../errors.ts';
import type { ByteSource, SourceOptions } from './byte-source.ts';

export type { ByteRange, ByteSource, SourceOptions } from './byte-source.ts';

/** Opens a local path, file:// URL, http(s):// URL or root:// (XRootD) URL. */
export async function openSource(location: string, opts: SourceOptions = {}): Promise<ByteSource> {
  if (/^x?roots?:\/\//i.test(location)) {
    const { XrootdSource } = await import('./source-xrootd.ts');
    return XrootdSource.open(location, opts);
  }
  if (/^https?:\/\//i.test(location)) {
    const { HttpSource } = await import('./source-http.ts');
    return HttpSource.open(location, opts);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^file:\/\//i.test(location)) {
    throw new UserError(`${location}: unsupported URL scheme (use a local path, https:// or root://)`);
  }
  const { LocalSource } = await import('./source-local.ts');
  return LocalSource.open(location.replace(/^file:\/\//i, ''));
}

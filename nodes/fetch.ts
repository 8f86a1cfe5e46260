// fetch: the analysis inputs as a FileSet. Accepts local paths, globs, https and root:// URLs (root://
// globs via kXR_dirlist), as a flat list
// (`files`), per sample (`samples: {name: [paths] | {files, process, variation, xsec, ...}}`), or a
// fileset (object or JSON file) in the AGC's form `{sample: {variation: {files: [{path, nevts}],
// nevts_total?, is_data?, ...}}}`, coffea's `{name: {files, metadata}}` or `{samples: {name:
// [paths]}}`. Every file is fingerprinted (local: path, size, mtime, sha256 with `contentHash`;
// https: HEAD; root://: the stat of kXR_open) on every run; that is cheap, and the fingerprints
// are what makes per-chunk cache keys follow file content. Each file's content identity (header
// and tail, memoised) is what per-chunk seeds derive from.
import { readFile, glob } from 'node:fs/promises';
import { dirname, isAbsolute, posix, resolve } from 'node:path';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { fingerprint, FingerprintError, type FileFingerprint } from '../cache/fingerprint.ts';
import { UserError } from '../src/errors.ts';
import { defineNodeKind, type FileInfo, type FileSet } from '../src/engine/node-kind.ts';
import { dirlist } from '../src/root/read/xrootd/client.ts';
import { formatXrdUrl, isXrootdUrl, parseXrdUrl } from '../src/root/read/xrootd/url.ts';
import { xrdUserError } from '../src/root/read/source-xrootd.ts';
import { fileIdentity } from '../src/root/read/identity.ts';

const pathList = z.union([z.string(), z.array(z.string())]);
const sampleSpec = z.union([
  pathList,
  strictParams({
    files: pathList,
    process: z.string().optional(),
    variation: z.string().optional(),
    xsec: z.number().positive().optional(),
    nevts: z.number().nonnegative().optional(),
    sumw: z.number().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
]);

export const params = strictParams({
    /** Paths, globs, https:// or root:// URLs of one sample named 'default'. */
    files: pathList.optional(),
    /** sample name -> its files, or {files, process, variation, xsec, nevts, sumw, metadata}. A sample is data (weight 1, never normalised) when its name or process is 'data' or its metadata has is_data: true. */
    samples: z.record(z.string(), sampleSpec).optional(),
    /** AGC-style fileset object, or the path of such a JSON file (its relative paths are resolved against it). */
    fileset: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Keep only these variations of an AGC-style fileset (default: all). */
    variations: z.array(z.string()).optional(),
    /** Cross-sections (pb) and process names per sample. */
    xsec: z.record(z.string(), z.number().positive()).optional(),
    /** Process name per sample (default: the sample name); merge and the workspace group by it. */
    process: z.record(z.string(), z.string()).optional(),
    /** Use at most this many files per sample and variation (quick looks). */
    maxFilesPerSample: z.number().int().positive().optional(),
    /** Read at most this many entries of each file. */
    maxEventsPerFile: z.number().int().positive().optional(),
    /** Skip (and list in the run summary) files that cannot be opened or read, as --skip-bad-files does. */
    skipBadFiles: z.boolean().default(false),
    /** Fingerprint local files by a hash of their content instead of size and modification time. */
    contentHash: z.boolean().default(false),
    /** Remote files: 'head' fingerprints by size/ETag/Last-Modified (one HEAD each); 'url' trusts the
     *  URL alone (immutable datasets, offline planning). */
    remote: z.enum(['head', 'url']).default('head'),
    /** Read each file's content identity (header and tail, memoised per fingerprint) so per-chunk
     *  seeds are the same for a local, https or root:// copy of one file. Default: on, except with
     *  remote: 'url' (no I/O at fetch; seeds then follow the URL). */
    identify: z.boolean().optional(),
    /** Base directory of relative paths (default: the working directory). */
    baseDir: z.string().optional(),
  }).refine((p) => p.files !== undefined || p.samples !== undefined || p.fileset !== undefined, {
    message: 'give files, samples or fileset',
  });

type Params = z.infer<typeof params>;

interface Pending {
  pattern: string;
  base: string;
  sample: string;
  variation: string;
  process?: string;
  xsec?: number;
  nevts?: number;
  sumw?: number;
  metadata?: Record<string, unknown>;
}

const urlOnly = (url: string): FileFingerprint => (isXrootdUrl(url) ? { kind: 'xrootd', url } : { kind: 'https', url });
const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const isGlob = (s: string) => /[*?[{]/.test(s);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

async function expand(p: Pending): Promise<string[]> {
  if (isUrl(p.pattern)) {
    if (isXrootdUrl(p.pattern)) return isGlob(p.pattern) ? expandXrootdGlob(p.pattern) : [p.pattern];
    if (!/^https?:\/\//i.test(p.pattern)) throw new UserError(`fetch: ${p.pattern}: only local paths, http(s):// and root:// URLs are supported`);
    return [p.pattern];
  }
  const abs = isAbsolute(p.pattern) ? p.pattern : resolve(p.base, p.pattern);
  if (!isGlob(abs)) return [abs];
  const out: string[] = [];
  for await (const f of glob(abs)) out.push(resolve(f));
  if (out.length === 0) throw new UserError(`fetch: no file matches ${p.pattern}`);
  return out.sort();
}

/** root://host//dir/*.root: the directory's kXR_dirlist filtered by the last path component. */
async function expandXrootdGlob(pattern: string): Promise<string[]> {
  const u = parseXrdUrl(pattern);
  if (isGlob(u.host) || isGlob(posix.dirname(u.path))) throw new UserError(`fetch: ${pattern}: only the file name of a root:// URL may have wildcards`);
  const dir = posix.dirname(u.path);
  const names = await dirlist({ ...u, path: dir, cgi: '' }).catch((err) => {
    throw xrdUserError(formatXrdUrl({ ...u, path: dir, cgi: '' }), err);
  });
  const base = posix.basename(u.path);
  const out = names.filter((n) => posix.matchesGlob(n, base)).sort().map((n) => formatXrdUrl({ ...u, path: posix.join(dir, n) }));
  if (out.length === 0) throw new UserError(`fetch: no file matches ${pattern} (${names.length} entries in ${dir})`);
  return out;
}

async function fromFileset(fs: unknown, base: string, prm: Params): Promise<Pending[]> {
  let obj = fs;
  if (typeof fs === 'string') {
    const path = resolve(base, fs);
    try {
      obj = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new UserError(`fetch: fileset ${fs}: ${(err as Error).message}`);
    }
    base = dirname(path);
  }
  const out: Pending[] = [];
  const root = obj as Record<string, unknown>;
  if (root.samples && typeof root.samples === 'object') {
    for (const [sample, files] of Object.entries(root.samples as Record<string, unknown>)) {
      for (const f of list(files as string | string[])) out.push({ pattern: f, base, sample, variation: 'nominal' });
    }
    return out;
  }
  for (const [sample, variations] of Object.entries(root)) {
    if (!variations || typeof variations !== 'object') throw new UserError(`fetch: fileset.${sample}: expected {variation: {files: [...]}}`);
    if ('files' in variations) {
      out.push(...coffeaEntry(sample, variations as Record<string, unknown>, base, prm));
      continue;
    }
    for (const [variation, spec] of Object.entries(variations as Record<string, unknown>)) {
      if (prm.variations && !prm.variations.includes(variation)) continue;
      const s = spec as { files?: unknown; nevts_total?: number; xsec?: number; process?: unknown; metadata?: unknown };
      if (!Array.isArray(s?.files)) throw new UserError(`fetch: fileset.${sample}.${variation}.files: expected an array`);
      const metadata = entryMetadata(s as Record<string, unknown>);
      s.files.forEach((f: unknown, i: number) => {
        const e = typeof f === 'string' ? { path: f } : (f as { path?: unknown; nevts?: number });
        if (typeof e?.path !== 'string') throw new UserError(`fetch: fileset.${sample}.${variation}.files[${i}].path: expected a string`);
        out.push({
          pattern: e.path, base, sample, variation, nevts: typeof e.nevts === 'number' ? e.nevts : undefined, xsec: s.xsec,
          ...(typeof s.process === 'string' ? { process: s.process } : {}),
          ...(metadata ? { metadata } : {}),
        });
      });
    }
  }
  return out;
}

/** A variation entry's fields other than its files and cross-section (nevts_total, is_data, a
 *  `metadata` object, ...) become the files' metadata, so selections see `is_data` and friends. */
function entryMetadata(spec: Record<string, unknown>): Record<string, unknown> | undefined {
  const { files: _f, xsec: _x, process: _p, metadata, ...rest } = spec;
  const md = { ...(metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : {}), ...rest };
  return Object.keys(md).length ? md : undefined;
}

/** coffea's form: `{"ttbar__nominal": {"files": [...] | {path: tree}, "metadata": {process,
 *  variation, xsec, nevts, is_data}}}`. */
function coffeaEntry(name: string, spec: Record<string, unknown>, base: string, prm: Params): Pending[] {
  const md = (spec.metadata && typeof spec.metadata === 'object' ? spec.metadata : {}) as Record<string, unknown>;
  const [sample0, variation0] = name.split('__');
  const variation = typeof md.variation === 'string' ? md.variation : variation0 ?? 'nominal';
  if (prm.variations && !prm.variations.includes(variation)) return [];
  const files = Array.isArray(spec.files) ? spec.files : Object.keys(spec.files as Record<string, unknown>);
  return files.map((f: unknown, i: number) => {
    const path = typeof f === 'string' ? f : (f as { path?: unknown })?.path;
    if (typeof path !== 'string') throw new UserError(`fetch: fileset.${name}.files[${i}]: expected a path`);
    return {
      pattern: path, base, sample: sample0!, variation,
      ...(typeof md.process === 'string' ? { process: md.process } : {}),
      ...(typeof md.xsec === 'number' ? { xsec: md.xsec } : {}),
      metadata: { ...md, ...(typeof md.nevts === 'number' && md.nevts_total === undefined ? { nevts_total: md.nevts } : {}) },
    };
  });
}

export default defineNodeKind({
  kind: 'fetch',
  version: '1',
  level: 'global',
  volatile: true,
  description: 'input files (paths, globs, https URLs, AGC-style filesets) with sample metadata and fingerprints',
  params,
  inputs: [],
  output: 'FileSet',
  async run(_inputs: unknown[], p: Params, ctx): Promise<FileSet> {
    const base = resolve(p.baseDir ?? '.');
    const pending: Pending[] = [];
    if (p.files) for (const f of list(p.files)) pending.push({ pattern: f, base, sample: 'default', variation: 'nominal' });
    for (const [sample, spec] of Object.entries(p.samples ?? {})) {
      if (typeof spec === 'string' || Array.isArray(spec)) {
        for (const f of list(spec)) pending.push({ pattern: f, base, sample, variation: 'nominal' });
      } else {
        for (const f of list(spec.files)) {
          pending.push({ pattern: f, base, sample, variation: spec.variation ?? 'nominal', process: spec.process, xsec: spec.xsec, nevts: spec.nevts, sumw: spec.sumw, metadata: spec.metadata });
        }
      }
    }
    if (p.fileset !== undefined) pending.push(...(await fromFileset(p.fileset, base, p)));

    const files: FileInfo[] = [];
    const skipped: Array<{ path: string; reason: string }> = [];
    const perSample = new Map<string, number>();
    for (const pend of pending) {
      const paths = await expand(pend);
      for (const path of paths) {
        const sv = `${pend.sample}\0${pend.variation}`;
        if (p.maxFilesPerSample && (perSample.get(sv) ?? 0) >= p.maxFilesPerSample) continue;
        perSample.set(sv, (perSample.get(sv) ?? 0) + 1);
        try {
          const fp: FileFingerprint = isUrl(path) && p.remote === 'url' ? urlOnly(path) : await fingerprint(path, { content: p.contentHash, memo: p.contentHash ? ctx.memoTable?.('content-sha256') : undefined });
          const info: FileInfo = {
            path, sample: pend.sample, process: p.process?.[pend.sample] ?? pend.process ?? pend.sample, variation: pend.variation,
            fingerprint: fp,
          };
          const xsec = p.xsec?.[pend.sample] ?? pend.xsec;
          if (xsec !== undefined) info.xsec = xsec;
          if (pend.nevts !== undefined) info.nevts = pend.nevts;
          if (pend.sumw !== undefined) info.sumw = pend.sumw;
          if (p.maxEventsPerFile !== undefined) info.maxEntries = p.maxEventsPerFile;
          if (pend.metadata) info.metadata = pend.metadata;
          // seeds follow the file's content, not where it is read from (memoised per fingerprint)
          if (p.identify ?? p.remote === 'head') info.identity = await ctx.memo(['file-identity', fp], () => fileIdentity(path));
          files.push(info);
        } catch (err) {
          if (!p.skipBadFiles && !ctx.skipBadFiles) throw new UserError(`fetch '${ctx.node}': ${(err as Error).message}`);
          // the listing names the file once: the reason without it
          const reason = err instanceof FingerprintError ? err.reason : (err as Error).message.replace(`${path}: `, '');
          skipped.push({ path, reason });
          ctx.warn(`skipping ${path}: ${reason}`);
        }
      }
    }
    if (files.length === 0) throw new UserError(`fetch '${ctx.node}': no input files${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
    return { files, ...(skipped.length ? { skipped } : {}), ...(p.skipBadFiles ? { skipBadFiles: true } : {}) };
  },
});

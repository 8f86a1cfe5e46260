// fetch: the analysis inputs as a FileSet. Accepts local paths, globs and https URLs, as a flat list
// (`files`), per sample (`samples: {name: [paths] | {files, process, variation, xsec, ...}}`), or a
// fileset (object or JSON file) in the AGC's form `{sample: {variation: {files: [{path, nevts}],
// nevts_total?}}}` or `{samples: {name: [paths]}}`. Every file is fingerprinted (local: path, size,
// mtime, sha256 with `contentHash`; https: HEAD) on every run; that is cheap, and the fingerprints
// are what makes per-chunk cache keys follow file content.
import { readFile, glob } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { fingerprint, type FileFingerprint } from '../cache/fingerprint.ts';
import { UserError } from '../src/errors.ts';
import { defineNodeKind, type FileInfo, type FileSet } from '../src/engine/node-kind.ts';

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
    files: pathList.optional(),
    samples: z.record(z.string(), sampleSpec).optional(),
    /** AGC-style fileset object, or the path of such a JSON file (its relative paths are resolved against it). */
    fileset: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Keep only these variations of an AGC-style fileset (default: all). */
    variations: z.array(z.string()).optional(),
    /** Cross-sections (pb) and process names per sample. */
    xsec: z.record(z.string(), z.number().positive()).optional(),
    process: z.record(z.string(), z.string()).optional(),
    maxFilesPerSample: z.number().int().positive().optional(),
    maxEventsPerFile: z.number().int().positive().optional(),
    skipBadFiles: z.boolean().default(false),
    contentHash: z.boolean().default(false),
    /** Remote files: 'head' fingerprints by size/ETag/Last-Modified (one HEAD each); 'url' trusts the
     *  URL alone (immutable datasets, offline planning). */
    remote: z.enum(['head', 'url']).default('head'),
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

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const isGlob = (s: string) => /[*?[{]/.test(s);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

async function expand(p: Pending): Promise<string[]> {
  if (isUrl(p.pattern)) {
    if (!/^https?:\/\//i.test(p.pattern)) throw new UserError(`fetch: ${p.pattern}: only local paths and http(s) URLs are supported (XRootD: use the https:// door)`);
    return [p.pattern];
  }
  const abs = isAbsolute(p.pattern) ? p.pattern : resolve(p.base, p.pattern);
  if (!isGlob(abs)) return [abs];
  const out: string[] = [];
  for await (const f of glob(abs)) out.push(resolve(f));
  if (out.length === 0) throw new UserError(`fetch: no file matches ${p.pattern}`);
  return out.sort();
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
    for (const [variation, spec] of Object.entries(variations as Record<string, unknown>)) {
      if (prm.variations && !prm.variations.includes(variation)) continue;
      const s = spec as { files?: unknown; nevts_total?: number; xsec?: number };
      if (!Array.isArray(s?.files)) throw new UserError(`fetch: fileset.${sample}.${variation}.files: expected an array`);
      s.files.forEach((f: unknown, i: number) => {
        const e = typeof f === 'string' ? { path: f } : (f as { path?: unknown; nevts?: number });
        if (typeof e?.path !== 'string') throw new UserError(`fetch: fileset.${sample}.${variation}.files[${i}].path: expected a string`);
        out.push({
          pattern: e.path, base, sample, variation, nevts: typeof e.nevts === 'number' ? e.nevts : undefined, xsec: s.xsec,
          metadata: s.nevts_total !== undefined ? { nevts_total: s.nevts_total } : undefined,
        });
      });
    }
  }
  return out;
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
          const fp: FileFingerprint = isUrl(path) && p.remote === 'url' ? { kind: 'https', url: path } : await fingerprint(path, { content: p.contentHash });
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
          files.push(info);
        } catch (err) {
          if (!p.skipBadFiles) throw new UserError(`fetch '${ctx.node}': ${(err as Error).message}`);
          skipped.push({ path, reason: (err as Error).message });
          ctx.warn(`skipping ${path}: ${(err as Error).message}`);
        }
      }
    }
    if (files.length === 0) throw new UserError(`fetch '${ctx.node}': no input files${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
    return { files, ...(skipped.length ? { skipped } : {}), ...(p.skipBadFiles ? { skipBadFiles: true } : {}) };
  },
});

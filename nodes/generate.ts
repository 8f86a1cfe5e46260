// generate: offline inputs. Writes synthetic samples with the real schemas (`flow gen`'s generators,
// src/gen/) once, into <cache dir>/generated/, and hands them on as a FileSet exactly like fetch,
// with the per-sample metadata (process, variation, xsec, nevts, sumw) the weights need. This is
// what makes `flow run graphs/hzz.ts` work on a fresh machine with no network.
//
// Files are named by (kind, process, variation, events, seed) and the hash of the generator's own
// source, so a changed generator writes new files instead of silently reusing old ones. Writes are
// atomic (the writer renames at close): a killed run never leaves a half-written sample behind.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { fingerprintLocal } from '../cache/fingerprint.ts';
import { generatedDir, resolveCacheDir } from '../cache/location.ts';
import { defineNodeKind, type FileInfo, type FileSet } from '../src/engine/node-kind.ts';
import { UserError } from '../src/errors.ts';
import { moduleExt } from '../src/module-ext.ts';

const sampleSpec = strictParams({
  /** Generator process, e.g. 'signal', 'zz', 'data' (atlas4lep) or 'ttbar', 'wjets' (nanoaod). */
  process: z.string(),
  events: z.number().int().positive(),
  seed: z.number().int().nonnegative().default(1),
  /** Number of files to split the sample into (each `events` long, seeds seed, seed+1, ...). */
  files: z.number().int().positive().default(1),
  /** Physics process name for histograms (default: the sample name). */
  label: z.string().optional(),
  variation: z.string().default('nominal'),
  /** Cross-section in pb (default: the generator's table; read back from the file for atlas4lep). */
  xsec: z.number().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const params = strictParams({
  /** Generator: CMS NanoAOD-like ttbar samples (the AGC) or ATLAS Open Data-like 4-lepton samples (H->ZZ*). */
  kind: z.enum(['nanoaod', 'atlas4lep']),
  /** sample name -> what to generate */
  samples: z.record(z.string(), sampleSpec),
  /** Directory of the generated files (default: <cache dir>/generated). */
  dir: z.string().optional(),
  /** Compression of the written ROOT files. */
  compression: z.enum(['zlib', 'zstd', 'none']).default('zstd'),
});
type Params = z.infer<typeof params>;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ext = moduleExt(import.meta.url);
let generatorHash: string | undefined;
/** Hash of the generator and writer sources: generated files are named by it. */
function genHash(): string {
  if (generatorHash) return generatorHash;
  const h = createHash('sha256');
  for (const dir of ['src/gen', 'src/root/write']) {
    const abs = join(root, dir);
    for (const f of readdirSync(abs).filter((n) => n.endsWith(ext) && !n.endsWith('.d.ts')).sort()) h.update(f).update(readFileSync(join(abs, f)));
  }
  generatorHash = h.digest('hex').slice(0, 12);
  return generatorHash;
}

/** XSection and SumWeights as stored in an ATLAS-style file (first entry). */
async function atlasMetadata(path: string): Promise<{ xsec: number; sumw: number }> {
  const { openRootFile } = await import('../src/root/read/index.ts');
  const f = await openRootFile(path);
  try {
    const t = await f.tree('mini');
    const b = await t.read(['XSection', 'SumWeights'], { start: 0, stop: Math.min(1, t.entries) });
    const x = b.columns.XSection as Float32Array;
    const s = b.columns.SumWeights as Float32Array;
    return { xsec: x[0] ?? 0, sumw: s[0] ?? 0 };
  } finally {
    await f.close();
  }
}

export default defineNodeKind({
  kind: 'generate',
  version: '1',
  level: 'global',
  volatile: true,
  description: 'synthetic input samples (flow gen), written once into the cache and passed on as a FileSet',
  params,
  inputs: [],
  output: 'FileSet',
  async run(_inputs: unknown[], p: Params, ctx): Promise<FileSet> {
    const { writeSample, sampleKinds } = await import('../src/gen/index.ts');
    const { nanoaodCrossSections } = await import('../src/gen/nanoaod.ts');
    const kind = sampleKinds[p.kind];
    const dir = resolve(p.dir ?? generatedDir(ctx.cacheDir ?? resolveCacheDir()));
    const files: FileInfo[] = [];
    const specs = Object.entries(p.samples);
    let done = 0;
    const total = specs.reduce((n, [, s]) => n + s.files, 0);
    for (const [sample, s] of specs) {
      if (!kind.processes.includes(s.process)) {
        throw new UserError(`generate: samples.${sample}.process: '${s.process}' is not a ${p.kind} process (one of ${kind.processes.join(', ')})`);
      }
      for (let i = 0; i < s.files; i++) {
        const seed = s.seed + i;
        // Generator-level variations (the ttbar 2-point samples) change the events themselves.
        const genVariation = p.kind === 'nanoaod' && s.process === 'ttbar' && s.variation !== 'nominal' ? s.variation : undefined;
        const tag = genVariation ? `${s.process}_${genVariation}` : s.process;
        const path = join(dir, `${p.kind}-${tag}-${s.events}ev-seed${seed}-${p.compression}-${genHash()}.root`);
        if (!existsSync(path)) {
          // writeSample writes under a temporary name and renames at close: never a half-written sample.
          await mkdir(dir, { recursive: true });
          ctx.log(`generating ${s.events} ${p.kind} '${tag}' events (seed ${seed})`);
          const compression = p.compression === 'none' ? { algorithm: 'none' as const } : { algorithm: p.compression, level: p.compression === 'zstd' ? 3 : 1 };
          await writeSample({ kind: p.kind, out: path, events: s.events, seed, process: s.process, variation: genVariation, compression });
        }
        const fingerprint = await fingerprintLocal(path);
        let xsec = s.xsec;
        let sumw: number | undefined;
        if (p.kind === 'atlas4lep' && s.process !== 'data') {
          // read once per file version (path, size, mtime): opening it costs jsroot's streamer
          // parsing, most of a no-change re-run otherwise
          const md = await ctx.memo(['atlas-metadata', fingerprint], () => atlasMetadata(path));
          xsec ??= md.xsec;
          sumw = md.sumw;
        } else if (p.kind === 'nanoaod' && s.process !== 'data') {
          xsec ??= nanoaodCrossSections[s.process as keyof typeof nanoaodCrossSections];
        }
        files.push({
          path, sample, process: s.label ?? sample, variation: s.variation, xsec, nevts: s.events, sumw,
          metadata: { ...(s.metadata ?? {}), isData: s.process === 'data', generator: p.kind, generatorProcess: s.process, tree: kind.tree },
          fingerprint,
        });
        ctx.progress?.(++done, total, 'files');
      }
    }
    return { files };
  },
});

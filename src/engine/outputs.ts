// Output files (`writeOutputs` of the kinds) and the manifest `out/<graph>/.flow-outputs.json`.
//
// The manifest says, per node, from which value (output hash + key base) its files were written
// and the sha256 of every file. It is rewritten (temp file + rename) as soon as a node's files have
// landed, not at the end of the run, and every run checks each file it would write against the
// digest: a file that is missing, was edited, or was left by an interrupted run with other params
// (a 17-bin workspace.json beside a 34-bin fit.json) is rewritten. A matching file is neither
// reloaded nor rewritten, so a no-change re-run only reads and hashes the output files.
// (The anchor is Snakemake's incomplete-output markers; the digest also covers a kill -9 between
// a file's rename and the manifest's.)
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { sha256 } from '../../cache/hash.ts';
import type { RunEvent } from './events.ts';
import type { NodeBase } from './keys.ts';
import type { BaseContext, OutputContext } from './node-kind.ts';
import type { PlanNode } from './validate.ts';

export interface ManifestEntry {
  /** sha256 of the node's output hash and key base (file names depend on the params too). */
  hash: string;
  /** Paths relative to the output directory (the format of earlier versions, which ignore `sha256`). */
  files: string[];
  /** sha256 of each file, in the order of `files`. */
  sha256?: string[];
}

export type Manifest = Record<string, ManifestEntry>;
export const MANIFEST = '.flow-outputs.json';

type Emit = (e: Record<string, unknown> & { type: RunEvent['type'] }) => void;

export class OutputWriter {
  private saving: Promise<void> = Promise.resolve();

  readonly outDir: string;
  private readonly manifest: Manifest;
  private readonly emit: Emit;
  private readonly baseCtx: (node: string) => BaseContext;

  private constructor(outDir: string, manifest: Manifest, emit: Emit, baseCtx: (node: string) => BaseContext) {
    this.outDir = outDir;
    this.manifest = manifest;
    this.emit = emit;
    this.baseCtx = baseCtx;
  }

  static async open(outDir: string, emit: Emit, baseCtx: (node: string) => BaseContext): Promise<OutputWriter> {
    return new OutputWriter(outDir, await readManifest(outDir), emit, baseCtx);
  }

  /** Writes node `n`'s files from its value (loaded only when a file must be written). */
  async write(n: PlanNode, base: NodeBase, outputHash: string, load: () => Promise<unknown>): Promise<void> {
    const write = n.kind.writeOutputs;
    if (!write) return;
    const hash = sha256(`${outputHash}:${base.hash}`);
    const prev = this.manifest[n.name];
    if (prev && prev.hash === hash && (await this.intact(prev))) return;
    const files: string[] = [];
    const digests: string[] = [];
    const octx: OutputContext = {
      ...this.baseCtx(n.name),
      outDir: this.outDir,
      writeFile: async (rel, data) => {
        const path = resolve(this.outDir, rel);
        if (!path.startsWith(resolve(this.outDir) + sep)) throw new Error(`node '${n.name}': output path escapes the output directory: ${rel}`);
        await atomicWrite(path, data);
        files.push(rel);
        digests.push(sha256(data));
        this.emit({ type: 'output', node: n.name, path });
      },
    };
    await write.call(n.kind, await load(), n.params, octx);
    this.manifest[n.name] = { hash, files, sha256: digests };
    await this.save();
  }

  /** Every file of the entry is there with the digest it was written with. */
  private async intact(e: ManifestEntry): Promise<boolean> {
    if (!Array.isArray(e.files) || !Array.isArray(e.sha256) || e.sha256.length !== e.files.length) return false; // an older manifest
    for (let i = 0; i < e.files.length; i++) {
      const bytes = await readFile(join(this.outDir, String(e.files[i]))).catch(() => undefined);
      if (!bytes || sha256(bytes) !== e.sha256[i]) return false;
    }
    return true;
  }

  /** Writes are chained: two nodes finishing together never interleave their manifest writes. */
  private save(): Promise<void> {
    this.saving = this.saving.catch(() => {}).then(() => atomicWrite(join(this.outDir, MANIFEST), `${JSON.stringify(this.manifest, null, 1)}\n`));
    return this.saving;
  }
}

async function readManifest(outDir: string): Promise<Manifest> {
  try {
    const m = JSON.parse(await readFile(join(outDir, MANIFEST), 'utf8')) as unknown;
    return m && typeof m === 'object' && !Array.isArray(m) ? (m as Manifest) : {};
  } catch {
    return {};
  }
}

export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

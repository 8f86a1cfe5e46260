// Shipping the graph's code to workers that do not share the coordinator's checkout: the graph
// module and the local modules it imports (transitively) travel content-addressed through Redis.
// The manifest lists each file's path (relative to a base directory) and sha256; the code hash is
// the sha256 of the manifest. A worker verifies every file and the manifest against the code hash,
// writes them under <its cache dir>/code/<code hash>/ and links hepflow's own directories (src/,
// nodes/, cache/, node_modules/) to its own installation, so `../src/index.ts` from the graph
// resolves to the worker's hepflow and the file texts (hence every node's code hash) are unchanged.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { sha256 } from '../../cache/hash.ts';
import { IMPORT } from '../engine/module-context.ts';
import { codeKey } from './keys.ts';

export const HEPFLOW_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** hepflow's own parts: never shipped, linked to the worker's installation. */
const OWNED = ['src', 'nodes', 'cache', 'bin', 'node_modules', 'package.json', 'cli.ts'];

export interface Manifest {
  /** The graph module, relative to the base directory. */
  entry: string;
  /** Where hepflow's root sits relative to the base directory ('' : the base is hepflow's root). */
  hepflow: string;
  /** relative path -> sha256 of the file's bytes */
  files: Record<string, string>;
}

function owned(abs: string): boolean {
  const rel = relative(HEPFLOW_ROOT, abs);
  return !rel.startsWith('..') && OWNED.some((o) => rel === o || rel.startsWith(o + sep));
}

/** The graph module and its local imports outside hepflow, transitively (bounded by the files). */
export function collectFiles(graphPath: string): { files: string[]; importsHepflow: boolean } {
  const seen = new Set<string>();
  let importsHepflow = false;
  const stack = [resolve(graphPath)];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const dep = resolve(dirname(f), m[2]!);
      if (owned(dep)) importsHepflow = true;
      else if (existsSync(dep) && statSync(dep).isFile()) stack.push(dep);
    }
  }
  return { files: [...seen].sort(), importsHepflow };
}

function commonDir(paths: string[]): string {
  let base = dirname(paths[0]!);
  for (const p of paths) while (p !== base && !p.startsWith(base === sep ? sep : base + sep)) base = dirname(base);
  return base;
}

/** Coordinator: uploads the files (SET NX: already there from an earlier run is fine) and the
 *  manifest; returns the code hash the jobs carry. */
export async function shipCode(redis: Redis, graphPath: string): Promise<{ codeHash: string; manifest: Manifest }> {
  const { files, importsHepflow } = collectFiles(graphPath);
  const base = commonDir(importsHepflow ? [...files, join(HEPFLOW_ROOT, 'x')] : files);
  const manifest: Manifest = { entry: relative(base, resolve(graphPath)), hepflow: importsHepflow ? relative(base, HEPFLOW_ROOT) : '', files: {} };
  const pipe = redis.pipeline();
  for (const f of files) {
    const bytes = readFileSync(f);
    const h = sha256(bytes);
    manifest.files[relative(base, f)] = h;
    pipe.set(codeKey(h), bytes, 'NX');
  }
  const text = JSON.stringify(manifest);
  const codeHash = sha256(text);
  pipe.set(codeKey(codeHash), text, 'NX');
  await pipe.exec();
  return { codeHash, manifest };
}

/** Worker: the graph module's path in a verified local copy of the shipped code (made once). */
export async function materialiseCode(redis: Redis, codeHash: string, codeDir: string): Promise<string> {
  const dir = join(codeDir, codeHash);
  const manifestText = await redis.get(codeKey(codeHash));
  if (manifestText === null) throw new Error(`the graph code ${codeHash.slice(0, 12)} is not in Redis (was the run's Redis flushed?)`);
  if (sha256(manifestText) !== codeHash) throw new Error(`the graph code manifest in Redis does not match its hash ${codeHash.slice(0, 12)}`);
  const manifest = JSON.parse(manifestText) as Manifest;
  if (existsSync(join(dir, '.complete'))) return join(dir, manifest.entry);
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    for (const [rel, h] of Object.entries(manifest.files)) {
      if (rel.split(/[\\/]/).includes('..')) throw new Error(`the graph code manifest ${codeHash.slice(0, 12)} has a path outside its directory: ${rel}`);
      const bytes = await redis.getBuffer(codeKey(h));
      if (!bytes) throw new Error(`graph code file ${rel} (${h.slice(0, 12)}) is not in Redis`);
      if (sha256(bytes) !== h) throw new Error(`graph code file ${rel} from Redis does not match its sha256 ${h.slice(0, 12)}`);
      await mkdir(dirname(join(tmp, rel)), { recursive: true });
      await writeFile(join(tmp, rel), bytes);
    }
    const root = join(tmp, manifest.hepflow);
    await mkdir(root, { recursive: true });
    for (const o of OWNED) if (existsSync(join(HEPFLOW_ROOT, o)) && !existsSync(join(root, o))) await symlink(join(HEPFLOW_ROOT, o), join(root, o));
    await writeFile(join(tmp, '.complete'), '');
    await mkdir(codeDir, { recursive: true });
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // another slot of this worker made it first: theirs is as good
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return join(dir, manifest.entry);
}

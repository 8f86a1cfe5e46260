// skim: the chunk source. Plans cluster-aligned chunks of one tree per file, reads the requested
// branches (glob patterns resolved against each file's branch list) of a chunk into columns and
// applies an optional cheap event filter. Its per-chunk output is cached as Arrow IPC, so nodes
// downstream re-run from the cache without opening the ROOT file.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { isFixedSize, isJagged, itemsPerEntry, shapeColumns, type EventColumnBatch } from '../src/columns.ts';
import { filterBatch } from '../src/columnar/filter.ts';
import { UserError } from '../src/errors.ts';
import { defineNodeKind, type ChunkRange, type EventBatch, type FileInfo } from '../src/engine/node-kind.ts';
import type { RootFile, TreeReader } from '../src/root/read/index.ts';
import { guardColumns, missingColumn, missingFieldPrototype } from '../src/columnar/missing-field.ts';

/** Per-event filter: `row` exposes the read branches of the current event (flat -> number, jagged
 *  and fixed-size -> a typed-array view); one row object is reused for the whole chunk. */
export type RowFilter = (row: Record<string, any>) => boolean;
/** Vectorised filter: returns one mask byte (or boolean) per event. */
export type BatchFilter = (batch: EventColumnBatch) => ArrayLike<number | boolean>;

const fn = <T>() => z.custom<T>((v) => typeof v === 'function', { message: 'expected a function' });

export const params = strictParams({
  /** Name of the TTree (or RNTuple) in every file: `Events` for NanoAOD, `mini` for ATLAS Open Data. */
  tree: z.string().min(1),
  /** Branch names or glob patterns (`Jet_*`, `lep_?`); default: all branches. */
  branches: z.array(z.string().min(1)).optional(),
  /** Per-event filter on the listed branches: `(row) => row.nMuon >= 2`; a field that is not a listed branch is an error. */
  where: fn<RowFilter>().optional(),
  /** Vectorised filter: `(batch) => mask` with one byte per event (faster than where on large chunks). */
  mask: fn<BatchFilter>().optional(),
});
type Params = z.infer<typeof params>;

function globRegex(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export function resolveBranches(tr: TreeReader, patterns: string[] | undefined, where: string): string[] {
  const all = tr.branches.filter((b) => b.supported).map((b) => b.name);
  if (!patterns) return all;
  const out = new Set<string>();
  for (const p of patterns) {
    if (!/[*?]/.test(p)) {
      tr.branch(p); // throws a UserError naming file, tree and close names
      out.add(p);
      continue;
    }
    const re = globRegex(p);
    const hits = all.filter((n) => re.test(n));
    if (hits.length === 0) throw new UserError(`${where}: branch pattern '${p}' matches no branch of tree '${tr.name}'`);
    for (const h of hits) out.add(h);
  }
  return [...out];
}

// One worker reads consecutive chunks of the same file: keep a few files open. Entries are
// reference-counted: planning opens files concurrently, and evicting (closing) a file that another
// caller is still reading would fail that read with "file closed".
const open = new Map<string, { file: Promise<RootFile>; users: number }>();
const KEEP_OPEN = 4;

async function withFile<T>(file: FileInfo, use: (f: RootFile) => Promise<T>): Promise<T> {
  const id = `${file.path}\0${JSON.stringify(file.fingerprint)}`;
  let e = open.get(id);
  if (!e) {
    const { openRootFile } = await import('../src/root/read/index.ts');
    e = { file: openRootFile(file.path), users: 0 };
    e.file.catch(() => open.delete(id));
    open.set(id, e);
  }
  e.users++;
  try {
    return await use(await e.file);
  } finally {
    e.users--;
    evictIdle();
  }
}

function evictIdle(): void {
  if (open.size <= KEEP_OPEN) return;
  for (const [k, e] of open) {
    if (open.size <= KEEP_OPEN) break;
    if (e.users > 0) continue;
    open.delete(k);
    e.file.then((r) => r.close()).catch(() => {});
  }
}

/** Reading a field that is not a read branch throws, naming the closest branches (no per-event cost:
 *  see src/columnar/missing-field.ts). `tree`: every branch of the tree, to tell a typo from a
 *  branch that is not listed in `branches`. */
function fieldGuard(b: EventColumnBatch, what: string, tree: { name: string; branches: string[] }): (name: string) => Error {
  const read = Object.keys(b.columns);
  const hint = `a branch of tree '${tree.name}' that is not in the skim's branches (add it there)`;
  return (name) => missingColumn(what, name, read, { names: tree.branches, hint });
}

function rowGetter(c: EventColumnBatch['columns'][string], at: () => number): () => unknown {
  if (isJagged(c)) return () => c.content.subarray(c.offsets[at()]!, c.offsets[at() + 1]!);
  if (isFixedSize(c)) {
    const w = itemsPerEntry(c.shape);
    return () => c.content.subarray(at() * w, (at() + 1) * w);
  }
  return () => c[at()];
}

function rowMask(b: EventColumnBatch, where: RowFilter, missing: (name: string) => Error): Uint8Array {
  const n = b.entries;
  const mask = new Uint8Array(n);
  let i = 0;
  const row = Object.create(missingFieldPrototype(missing)) as Record<string, unknown>;
  for (const [name, c] of Object.entries(b.columns)) {
    Object.defineProperty(row, name, { enumerable: true, get: rowGetter(c, () => i) });
  }
  Object.freeze(row);
  for (; i < n; i++) mask[i] = where(row) ? 1 : 0;
  return mask;
}

export default defineNodeKind({
  kind: 'skim',
  version: '1',
  level: 'chunk',
  // reads only the file: a changed cross-section or sample name keeps the cached columns
  sampleMetadata: false,
  description: 'read branches of a tree per chunk, with an optional event filter',
  params,
  inputs: ['FileSet'],
  output: 'EventChunks',
  async plan(files, p: Params, ctx) {
    const out: ChunkRange[] = [];
    for (const file of files.files) {
      await withFile(file, async (f) => {
        const tr = await f.tree(p.tree);
        resolveBranches(tr, p.branches, `skim '${ctx.node}': ${file.path}`);
        const stop = file.maxEntries !== undefined ? Math.min(tr.entries, file.maxEntries) : tr.entries;
        for (const r of tr.chunks(ctx.chunkSize)) {
          if (r.start >= stop) break;
          out.push({ tree: p.tree, start: r.start, stop: Math.min(r.stop, stop) });
        }
      });
    }
    return out;
  },
  async runChunk(_input, p: Params, ctx): Promise<EventBatch> {
    const c = ctx.chunk;
    const tree = { name: c.tree, branches: [] as string[] };
    let batch: EventColumnBatch = await withFile(c.file, async (f) => {
      const tr = await f.tree(c.tree);
      tree.branches = tr.branches.map((b) => b.name);
      const names = resolveBranches(tr, p.branches, `skim '${ctx.node}': ${c.file.path}`);
      // fixed-size array branches come flat from the reader: give them their shape
      const shapes = new Map(tr.branches.filter((b) => !b.jagged && b.shape?.length && names.includes(b.name)).map((b) => [b.name, b.shape!]));
      return shapeColumns(await tr.read(names, { start: c.start, stop: c.stop }), shapes);
    });
    if (p.mask) {
      const guarded = { entries: batch.entries, columns: guardColumns(batch.columns, fieldGuard(batch, 'mask: column', tree)) };
      batch = filterBatch(batch, p.mask(guarded));
    }
    if (p.where) batch = filterBatch(batch, rowMask(batch, p.where, fieldGuard(batch, 'where: field', tree)));
    return batch;
  },
});

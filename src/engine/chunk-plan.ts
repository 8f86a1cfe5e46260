// Chunk planning of a chunk source: its `plan` is asked for the entry ranges of one file at a time
// (cached per file fingerprint, so a no-change re-run opens no file), and the engine builds the
// chunks and their ids. A file whose plan fails is skipped (and listed) with --skip-bad-files or
// fetch's skipBadFiles, else it fails the source.
import { chunkDataId, chunkId, planKey } from './keys.ts';
import type { ChunkNodeKind, ChunkRange, ChunkSpec, FileInfo, FileSet } from './node-kind.ts';
import { errorMessage, type RunContext } from './run-context.ts';
import type { PlanNode } from './validate.ts';

type Ranges = Array<[tree: string, start: number, stop: number]>;

export function makeChunk(file: FileInfo, r: ChunkRange): ChunkSpec {
  const c = { file, tree: r.tree, start: r.start, stop: r.stop };
  return { ...c, id: chunkId(c), dataId: chunkDataId(c) };
}

export async function planChunks(run: RunContext, src: PlanNode, fs: FileSet, skipBad: boolean): Promise<ChunkSpec[]> {
  const kind = src.kind as ChunkNodeKind;
  const base = run.base(src.name);
  const { store, opts } = run;
  const planFile = async (file: FileInfo): Promise<Ranges | null> => {
    run.checkCancel();
    const pk = planKey(base, file.fingerprint, file.maxEntries, opts.chunkSize);
    const hit = store?.get(pk)?.meta as Ranges | undefined;
    if (hit) return hit;
    let ranges: Ranges;
    try {
      const rs = await kind.plan!({ files: [file] }, src.params, { ...run.baseCtx(src.name), chunkSize: opts.chunkSize });
      ranges = rs.map((c) => [c.tree, c.start, c.stop]);
    } catch (err) {
      // the ROOT reader's messages usually start with the file already: name it once
      const message = errorMessage(err);
      const reason = message.startsWith(`${file.path}: `) ? message.slice(file.path.length + 2) : message;
      if (!skipBad) throw new Error(`${file.path}: ${reason}`);
      run.skippedFiles.push({ path: file.path, reason });
      run.emit({ type: 'warning', node: src.name, message: `skipping ${file.path}: ${reason}` });
      return null;
    }
    if (store) await store.put({ key: pk, label: { graph: run.plan.graph, node: src.name, kind: 'plan', chunk: file.path }, meta: ranges, payloads: [] });
    return ranges;
  };
  // files are planned a few at a time (opening remote files is latency-bound); order is kept
  const plans = await mapLimit(fs.files, 8, planFile);
  return fs.files.flatMap((file, f) => (plans[f] ?? []).map(([tree, start, stop]) => makeChunk(file, { tree, start, stop })));
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

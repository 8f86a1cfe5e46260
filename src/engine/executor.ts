// The executor: walks a validated plan, serves nodes from the cache when their key is known and
// present, runs global nodes in the main thread and chunk groups (a chunk source and all chunk
// nodes fed by it) as one task per chunk on a piscina pool, merges reducer partials in chunk order
// as they arrive, and publishes every state change on the run's event stream.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Subject } from 'rxjs';
import { sha256 } from '../../cache/hash.ts';
import type { Store } from '../../cache/types.ts';
import { chunkLabel, codecOf, describeError, hashEncoded, readEncoded, type ChunkTask, type ChunkTaskResult, type EncodedValue, type EntryMeta } from './chunk-task.ts';
import { structuredCodec } from './codecs.ts';
import type { RecomputeReason, RunEvent } from './events.ts';
import { chunkDataId, chunkId, chunkIdFor, chunkKey, globalKey, memoKey, nodeBase, planKey, recordKey, reduceKey, type NodeBase } from './keys.ts';
import type { LoadedGraph } from './load.ts';
import type { ChunkNodeKind, ChunkSpec, Codec, FileSet, GlobalNodeKind, NodeContext, OutputContext } from './node-kind.ts';
import type { ChunkPool } from './pool.ts';
import type { PlanNode } from './validate.ts';

export interface RunOptions {
  /** Worker threads; 0 runs chunk tasks in the main thread. */
  workers: number;
  /** null: --no-cache (nothing read, nothing written). */
  store: Store | null;
  cacheDir: string | null;
  outDir: string;
  /** --force NODE: these nodes and their descendants are recomputed. */
  force: string[];
  retries: number;
  chunkSize: number;
  skipBadFiles: boolean;
  signal: AbortSignal;
  /** Raw --set values (the workers rebuild the graph with them). */
  sets: Record<string, string>;
  /** Creates the worker pool on first use (never for an all-cached run). */
  makePool?: (workers: number) => ChunkPool;
}

export type RunSummary = Extract<RunEvent, { type: 'run-done' }>;
type NodeSummary = RunSummary['nodes'][string];

type NodeResult = { ok: true; hash: string; load: () => Promise<unknown> } | { ok: false; because: string };

/** What the last successful run of a node was made of, to say why it recomputes. */
interface NodeRecord {
  version: string;
  params: string;
  code: string;
  inputs: string;
  output: string;
}

/** Re-runs from cached skims up to this many events stay in the main thread (see runGroup);
 *  FLOW_IN_THREAD_EVENTS overrides (0: always use the workers). */
const IN_THREAD_MAX_EVENTS = Number(process.env.FLOW_IN_THREAD_EVENTS ?? 500_000);

export class RunCancelled extends Error {
  override name = 'RunCancelled';
}

export async function executeGraph(g: LoadedGraph, opts: RunOptions, events: Subject<RunEvent>): Promise<RunSummary> {
  const { plan } = g;
  const { store } = opts;
  const t0 = performance.now();
  const emit = (e: Record<string, unknown> & { type: RunEvent['type'] }): void => events.next({ ...e, t: Date.now() } as RunEvent);
  const summary: Record<string, NodeSummary> = {};
  const skippedFiles: Array<{ path: string; reason: string }> = [];
  const results = new Map<string, Promise<NodeResult>>();
  const bases = new Map<string, NodeBase>(plan.order.map((n) => [n.name, nodeBase(n.kind.kind, n.kind.version, n.params, g.params, g.context)]));
  const forced = forcedSet(g, opts.force);
  let pool: ChunkPool | undefined;
  const manifest = await readManifest(opts.outDir);
  const newManifest: Manifest = {};

  emit({ type: 'run-start', graph: plan.graph, file: g.file, nodes: plan.order.map((n) => n.name), workers: opts.workers, cacheDir: opts.cacheDir });
  for (const n of plan.order) emit({ type: 'node-queued', node: n.name, kind: n.kind.kind });

  const checkCancel = (): void => {
    if (opts.signal.aborted) throw new RunCancelled('cancelled');
  };

  const readRecord = (name: string): NodeRecord | undefined =>
    store ? (store.get(recordKey(plan.graph, name))?.meta as NodeRecord | undefined) : undefined;
  const writeRecord = async (n: PlanNode, rec: NodeRecord, old: NodeRecord | undefined): Promise<void> => {
    if (!store || (old && canonical(old) === canonical(rec))) return;
    await store.put({ key: recordKey(plan.graph, n.name), label: { graph: plan.graph, node: n.name, kind: 'record' }, meta: rec, payloads: [] });
  };
  const ownReason = (rec: NodeRecord | undefined, b: NodeBase): RecomputeReason | undefined => {
    if (!rec) return 'new';
    if (rec.version !== b.version) return 'version';
    if (rec.params !== b.params) return 'params';
    if (rec.code !== b.code) return 'code';
    return undefined;
  };
  const reasonFor = (n: PlanNode, rec: NodeRecord | undefined, inputs: string): RecomputeReason => {
    if (forced.has(n.name)) return 'forced';
    if (!store) return 'no-cache';
    return ownReason(rec, bases.get(n.name)!) ?? (rec!.inputs !== inputs ? 'input' : 'new');
  };

  const baseCtx = (node: string) => ({
    graph: plan.graph,
    node,
    signal: opts.signal,
    log: (message: string) => emit({ type: 'log', node, message }),
    warn: (message: string) => emit({ type: 'warning', node, message }),
  });

  const outputs = async (n: PlanNode, outputHash: string, load: () => Promise<unknown>): Promise<void> => {
    const write = n.kind.writeOutputs;
    if (!write) return;
    // the files depend on the value AND on the params/version (e.g. output file names)
    const hash = sha256(`${outputHash}:${bases.get(n.name)!.hash}`);
    const prev = manifest[n.name];
    if (prev && prev.hash === hash && prev.files.every((f) => existsSync(join(opts.outDir, f)))) {
      newManifest[n.name] = prev;
      return;
    }
    const files: string[] = [];
    const octx: OutputContext = {
      ...baseCtx(n.name),
      outDir: opts.outDir,
      writeFile: async (rel, data) => {
        const path = resolve(opts.outDir, rel);
        if (!path.startsWith(resolve(opts.outDir) + sep)) throw new Error(`node '${n.name}': output path escapes the output directory: ${rel}`);
        await atomicWrite(path, data);
        files.push(rel);
        emit({ type: 'output', node: n.name, path });
      },
    };
    await write.call(n.kind, await load(), n.params, octx);
    newManifest[n.name] = { hash, files };
  };

  // ---------------------------------------------------------------------------------------------
  const runGlobal = async (n: PlanNode): Promise<NodeResult> => {
    const kind = n.kind as GlobalNodeKind;
    const ins = await Promise.all(n.inputs.map((i) => results.get(i)!));
    const badIdx = ins.findIndex((r) => !r.ok);
    if (badIdx >= 0) return skip(n, n.inputs[badIdx]!);
    checkCancel();
    const okIns = ins as Array<Extract<NodeResult, { ok: true }>>;
    const base = bases.get(n.name)!;
    const inputHashes = okIns.map((r) => r.hash);
    const key = globalKey(base, inputHashes);
    const codec = (kind.codec ?? structuredCodec) as Codec<unknown>;
    const cacheable = kind.cacheable !== false && !kind.volatile;
    const rec = readRecord(n.name);
    const tStart = performance.now();

    const compute = async (reason: RecomputeReason): Promise<{ value: unknown; hash: string }> => {
      if (!kind.volatile) emit({ type: 'node-start', node: n.name, kind: kind.kind, reason });
      const values = await Promise.all(okIns.map((r) => r.load()));
      const ctx: NodeContext = {
        ...baseCtx(n.name),
        workers: opts.workers,
        cacheDir: opts.cacheDir,
        progress: (done, total, unit = 'steps') => emit({ type: 'node-progress', node: n.name, done, total, unit }),
        parallel: async <T, R>(task: string, items: readonly T[], popts: { memo?: boolean } = {}): Promise<R[]> => {
          if (typeof kind.tasks?.[task] !== 'function') throw new Error(`node '${n.name}' (${kind.kind}): no task '${task}'`);
          let done = 0;
          const one = async (item: T): Promise<R> => {
            checkCancel();
            const mk = popts.memo && store ? memoKey(key, [task, item]) : undefined;
            const hit = mk ? store!.get(mk) : undefined;
            let v: R;
            if (hit) v = (hit.meta as { v: R }).v;
            else {
              if (opts.workers === 0 || !opts.makePool) v = (await kind.tasks![task]!(item, n.params)) as R;
              else {
                pool ??= opts.makePool(opts.workers);
                v = (await pool.runNodeTask({ type: 'node-task', graphPath: g.path, sets: opts.sets, node: n.name, task, item }, opts.signal)) as R;
              }
              if (mk) await store!.put({ key: mk, label: { graph: plan.graph, node: n.name, kind: 'memo' }, meta: { v }, payloads: [] });
            }
            emit({ type: 'node-progress', node: n.name, done: ++done, total: items.length, unit: task });
            return v;
          };
          return mapLimit([...items], Math.max(1, opts.workers) * 2, one);
        },
        memo: async <T>(k: unknown, fn: () => Promise<T> | T): Promise<T> => {
          if (!store) return fn();
          const mk = memoKey(key, k);
          const hit = store.get(mk);
          if (hit) return (hit.meta as { v: T }).v;
          const v = await fn();
          await store.put({ key: mk, label: { graph: plan.graph, node: n.name, kind: 'memo' }, meta: { v }, payloads: [] });
          return v;
        },
      };
      let value: unknown;
      try {
        value = await kind.run(values, n.params, ctx);
      } catch (err) {
        if (err instanceof RunCancelled || (err as Error)?.name === 'UserError') throw err;
        throw new Error(describeError(n.name, kind.kind, err, g.path), { cause: err });
      }
      const enc = codec.encode(value);
      const hash = hashEncoded(enc);
      if (store && cacheable) {
        await store.put({ key, label: { graph: plan.graph, node: n.name, kind: kind.kind }, meta: { c: enc.meta, n: 0 } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash });
      }
      return { value, hash };
    };

    if (store && cacheable && !forced.has(n.name)) {
      const e = store.get(key);
      if (e) {
        store.touch(key);
        const load = once(async () => {
          try {
            const enc = (await readEncoded(store, key))!;
            return codec.decode(enc.meta, enc.payloads);
          } catch (err) {
            if ((err as Error).name !== 'CorruptBlobError' && (err as Error).name !== 'MissingBlobError') throw err;
            emit({ type: 'warning', node: n.name, message: `corrupt cache entry, recomputing: ${(err as Error).message}` });
            summary[n.name] = { status: 'computed', reason: 'corrupt', seconds: 0 };
            return (await compute('corrupt')).value;
          }
        });
        try {
          await outputs(n, e.outputHash, load);
        } catch (err) {
          return fail(n, err, tStart);
        }
        if (!summary[n.name]) {
          emit({ type: 'node-cached', node: n.name, kind: kind.kind });
          summary[n.name] = { status: 'cached', reason: 'unchanged', seconds: 0 };
        } else emit({ type: 'node-done', node: n.name, kind: kind.kind, seconds: (performance.now() - tStart) / 1000 }); // recomputed (corrupt)
        return { ok: true, hash: e.outputHash, load };
      }
    }
    const inputsHash = sha256(inputHashes.join(','));
    // a volatile node (fetch) whose own parts are unchanged recomputes because the world changed
    const reason = kind.volatile && rec && !forced.has(n.name) && !ownReason(rec, base) ? 'input' : reasonFor(n, rec, inputsHash);
    try {
      const { value, hash } = await compute(reason);
      const load = async () => value;
      await outputs(n, hash, load);
      const seconds = (performance.now() - tStart) / 1000;
      const unchanged = rec?.output === hash;
      if (kind.volatile && unchanged && !forced.has(n.name)) {
        emit({ type: 'node-cached', node: n.name, kind: kind.kind });
        summary[n.name] = { status: 'cached', reason: 'unchanged', seconds };
      } else {
        if (kind.volatile) emit({ type: 'node-start', node: n.name, kind: kind.kind, reason });
        emit({ type: 'node-done', node: n.name, kind: kind.kind, seconds, outputUnchanged: unchanged || undefined });
        summary[n.name] = { status: 'computed', reason, seconds };
      }
      if (kind.kind === 'fetch' || n.kind.output === 'FileSet') skippedFiles.push(...((value as FileSet).skipped ?? []));
      await writeRecord(n, { version: base.version, params: base.params, code: base.code, inputs: inputsHash, output: hash }, rec);
      return { ok: true, hash, load };
    } catch (err) {
      return fail(n, err, tStart);
    }
  };

  const skip = (n: PlanNode, because: string): NodeResult => {
    emit({ type: 'node-skipped', node: n.name, kind: n.kind.kind, because: `input '${because}' failed` });
    summary[n.name] = { status: 'skipped', reason: `input '${because}' failed`, seconds: 0 };
    return { ok: false, because };
  };
  const fail = (n: PlanNode, err: unknown, tStart: number): NodeResult => {
    if (err instanceof RunCancelled || opts.signal.aborted) throw new RunCancelled('cancelled');
    const msg = errorMessage(err);
    emit({ type: 'node-failed', node: n.name, kind: n.kind.kind, error: msg });
    summary[n.name] = { status: 'failed', reason: 'error', seconds: (performance.now() - tStart) / 1000, error: msg };
    return { ok: false, because: n.name };
  };

  // ---------------------------------------------------------------------------------------------
  const planChunks = async (src: PlanNode, fs: FileSet): Promise<ChunkSpec[]> => {
    const kind = src.kind as ChunkNodeKind;
    const base = bases.get(src.name)!;
    const planFile = async (file: FileSet['files'][number]): Promise<Array<[string, number, number]> | null> => {
      checkCancel();
      const pk = planKey(base, file.fingerprint, file.maxEntries, opts.chunkSize);
      const hit = store?.get(pk)?.meta as Array<[string, number, number]> | undefined;
      if (hit) return hit;
      let ranges: Array<[string, number, number]>;
      try {
        const specs = await kind.plan!({ files: [file] }, src.params, { ...baseCtx(src.name), chunkSize: opts.chunkSize });
        ranges = specs.map((c) => [c.tree, c.start, c.stop]);
      } catch (err) {
        // the ROOT reader's messages usually start with the file already: name it once
        const message = errorMessage(err);
        const reason = message.startsWith(`${file.path}: `) ? message.slice(file.path.length + 2) : message;
        if (!opts.skipBadFiles && !fs.skipBadFiles) throw new Error(`${file.path}: ${reason}`);
        skippedFiles.push({ path: file.path, reason });
        emit({ type: 'warning', node: src.name, message: `skipping ${file.path}: ${reason}` });
        return null;
      }
      if (store) await store.put({ key: pk, label: { graph: plan.graph, node: src.name, kind: 'plan', chunk: file.path }, meta: ranges, payloads: [] });
      return ranges;
    };
    // files are planned a few at a time (opening remote files is latency-bound); order is kept
    const plans = await mapLimit(fs.files, 8, planFile);
    const chunks: ChunkSpec[] = [];
    for (let f = 0; f < fs.files.length; f++) {
      const file = fs.files[f]!;
      const ranges = plans[f];
      if (!ranges) continue;
      for (const [tree, start, stop] of ranges) {
        const c: ChunkSpec = { file, tree, start, stop, id: '' };
        c.id = chunkId(c);
        c.dataId = chunkDataId(c);
        chunks.push(c);
      }
    }
    return chunks;
  };

  const runGroup = async (src: PlanNode): Promise<Map<string, NodeResult>> => {
    const members = plan.groups.get(src.name)!;
    const out = new Map<string, NodeResult>();
    const fsRes = await results.get(src.inputs[0]!)!;
    if (!fsRes.ok) {
      for (const m of members) out.set(m.name, skip(m, m === src ? src.inputs[0]! : src.name));
      return out;
    }
    const tStart = performance.now();
    let chunks: ChunkSpec[];
    let skipBad = opts.skipBadFiles;
    try {
      const fileSet = (await fsRes.load()) as FileSet;
      skipBad ||= fileSet.skipBadFiles === true;
      chunks = await planChunks(src, fileSet);
    } catch (err) {
      for (const m of members) out.set(m.name, m === src ? fail(m, err, tStart) : skip(m, src.name));
      return out;
    }
    const parentOf = (m: PlanNode): string | null => (m === src ? null : m.inputs[0]!);
    const nChunks = chunks.length;
    // Pre-check every (node, chunk) entry by key: no blob is read here.
    const hashes = new Map<string, Array<string | undefined>>(members.map((m) => [m.name, new Array(nChunks)]));
    const cachedEvents = new Map<string, number>(members.map((m) => [m.name, 0]));
    const cachedCount = new Map<string, number>(members.map((m) => [m.name, 0]));
    const needTask: boolean[] = new Array(nChunks).fill(false);
    for (let i = 0; i < nChunks; i++) {
      for (const m of members) {
        const p = parentOf(m);
        const up = p === null ? null : hashes.get(p)![i];
        const e = store && !forced.has(m.name) && up !== undefined ? store.get(chunkKey(bases.get(m.name)!, chunkIdFor(m.kind, chunks[i]!), up)) : undefined;
        if (e) {
          hashes.get(m.name)![i] = e.outputHash;
          cachedEvents.set(m.name, cachedEvents.get(m.name)! + (e.meta as EntryMeta).n);
          cachedCount.set(m.name, cachedCount.get(m.name)! + 1);
        } else needTask[i] = true;
      }
    }
    // Reducers whose merged value is cached under the hash list of their (all cached) partials.
    const reducerCached = new Map<string, { key: string; hash: string }>();
    for (const m of members) {
      if (m.role !== 'reducer' || !store || forced.has(m.name)) continue;
      const hs = hashes.get(m.name)!;
      if (hs.every((h) => h !== undefined)) {
        const rk = reduceKey(bases.get(m.name)!, hs as string[]);
        const e = store.get(rk);
        if (e) reducerCached.set(m.name, { key: rk, hash: e.outputHash });
      }
    }
    const wantPartial = new Set(members.filter((m) => m.role === 'reducer' && !reducerCached.has(m.name)).map((m) => m.name));
    const records = new Map(members.map((m) => [m.name, readRecord(m.name)]));
    const allCached = (m: PlanNode): boolean => cachedCount.get(m.name) === nChunks && (m.role !== 'reducer' || reducerCached.has(m.name));
    const reasons = new Map<string, RecomputeReason>();
    for (const m of members) {
      if (allCached(m)) {
        emit({ type: 'node-cached', node: m.name, kind: m.kind.kind });
        continue;
      }
      const r = forced.has(m.name) ? 'forced' : !store ? 'no-cache' : ownReason(records.get(m.name), bases.get(m.name)!) ?? 'input';
      reasons.set(m.name, r);
      emit({ type: 'node-start', node: m.name, kind: m.kind.kind, reason: r, chunks: nChunks, cachedChunks: cachedCount.get(m.name)! });
    }

    // Run the chunks; consume them in chunk order so reductions are deterministic (same bytes
    // whatever order the workers finish in).
    // Small re-runs from cached skims (a changed binning) run in this thread: starting workers that
    // import the graph again costs more than re-filling a few chunks from the cache.
    const srcHashes = hashes.get(src.name)!;
    let eventsToRedo = 0;
    let sourceCached = !forced.has(src.name);
    for (let i = 0; i < nChunks; i++) {
      if (!needTask[i]) continue;
      eventsToRedo += chunks[i]!.stop - chunks[i]!.start;
      if (srcHashes[i] === undefined) sourceCached = false;
    }
    const inThread = opts.workers === 0 || !opts.makePool || (pool === undefined && sourceCached && eventsToRedo <= IN_THREAD_MAX_EVENTS);
    const taskNodes = members.map((m) => ({ name: m.name, base: bases.get(m.name)!, parent: parentOf(m), forced: forced.has(m.name), wantPartial: wantPartial.has(m.name) }));
    const groupAbort = new AbortController();
    const onAbort = () => groupAbort.abort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const computedEvents = new Map<string, number>(members.map((m) => [m.name, 0]));
    const computedChunks = new Map<string, number>(members.map((m) => [m.name, 0]));
    const corrupt = new Set<string>();
    /** Per node: the sum of its per-chunk compute times (CPU seconds over all workers). */
    const computeSeconds = new Map<string, number>();
    const done = new Map<string, number>(members.map((m) => [m.name, cachedCount.get(m.name)!]));
    const runTask = async (i: number): Promise<ChunkTaskResult | EncodedPartials | null> => {
      const chunk = chunks[i]!;
      if (!needTask[i]) {
        if (wantPartial.size === 0) return null;
        const parts: EncodedPartials = { partials: new Map() };
        for (const name of wantPartial) {
          const k = chunkKey(bases.get(name)!, chunkIdFor(plan.nodes.get(name)!.kind, chunk), hashOfParent(name, i));
          try {
            parts.partials.set(name, (await readEncoded(store!, k))!);
          } catch (err) {
            if ((err as Error).name !== 'CorruptBlobError' && (err as Error).name !== 'MissingBlobError') throw err;
            needTask[i] = true; // corrupt partial: recompute this chunk in a task
            emit({ type: 'warning', node: name, message: `corrupt cache entry for ${chunkLabel(chunk)}, recomputing` });
            return runTask(i);
          }
        }
        return parts;
      }
      const task: ChunkTask = { graphPath: g.path, sets: opts.sets, cacheDir: opts.cacheDir, graph: plan.graph, chunk, nodes: taskNodes };
      for (let attempt = 0; ; attempt++) {
        try {
          checkCancel();
          if (inThread) {
            const { runChunkTask } = await import('./chunk-task.ts');
            return await runChunkTask(task, plan, store);
          }
          pool ??= opts.makePool!(opts.workers);
          return await pool.run(task, groupAbort.signal);
        } catch (err) {
          if (opts.signal.aborted || groupAbort.signal.aborted) throw new RunCancelled('cancelled');
          // Only the chunk source's failures are retried (a read can be transient); an exception
          // in a select/fill function fails the same way every time.
          const member = failingMember(err);
          if (attempt >= opts.retries || (member !== undefined && member !== src)) throw new ChunkError(chunk, err);
          emit({ type: 'warning', node: (failingMember(err) ?? src).name, message: `chunk ${chunkLabel(chunk)} failed (attempt ${attempt + 1}/${opts.retries + 1}), retrying: ${errorMessage(err)}` });
        }
      }
    };
    const failingMember = (err: unknown): PlanNode | undefined => {
      const named = /node '([^']+)' \(/.exec(errorMessage(err))?.[1];
      return members.find((m) => m.name === named);
    };
    const hashOfParent = (name: string, i: number): string | null => {
      const p = parentOf(plan.nodes.get(name)!);
      return p === null ? null : hashes.get(p)![i]!;
    };

    // A sliding window of chunks in flight: partials are consumed in chunk order, so memory holds
    // at most `window` of them whatever the number of files.
    const window = Math.max(8, 4 * Math.max(1, opts.workers));
    const pending: Array<Promise<ChunkTaskResult | EncodedPartials | null> | undefined> = [];
    const launch = (upTo: number): void => {
      while (pending.length < Math.min(nChunks, upTo)) {
        const p = runTask(pending.length);
        p.catch(() => {}); // consumed in order below
        pending.push(p);
      }
    };
    const acc = new Map<string, unknown>();
    const included: number[] = [];
    let groupError: unknown;
    for (let i = 0; i < nChunks; i++) {
      let r: ChunkTaskResult | EncodedPartials | null;
      launch(i + window);
      try {
        r = await pending[i]!;
        pending[i] = undefined;
      } catch (err) {
        if (err instanceof RunCancelled || opts.signal.aborted) {
          groupAbort.abort();
          throw new RunCancelled('cancelled');
        }
        if (skipBad && err instanceof ChunkError) {
          const path = chunks[i]!.file.path;
          if (!skippedFiles.some((f) => f.path === path)) skippedFiles.push({ path, reason: `${chunkLabel(chunks[i]!)}: ${withoutPath(errorMessage(err.cause), path)}` });
          emit({ type: 'warning', node: src.name, message: `skipping ${err.message}` });
          continue;
        }
        groupError = err;
        groupAbort.abort();
        break;
      }
      included.push(i);
      let partials: Map<string, EncodedValue | undefined> | undefined;
      if (r && 'nodes' in r) {
        for (const l of r.logs) emit({ type: l.level === 'warn' ? 'warning' : 'log', node: l.node, message: `${chunkLabel(chunks[i]!)}: ${l.message}` });
        partials = new Map();
        for (const nr of r.nodes) {
          const preChecked = hashes.get(nr.name)![i] !== undefined;
          hashes.get(nr.name)![i] = nr.hash;
          partials.set(nr.name, nr.partial);
          if (nr.corrupt) corrupt.add(nr.name);
          if (nr.cached) {
            // found by the task, not by the pre-check (a worker's own cache under scale-out): count it once
            if (!preChecked) cachedEvents.set(nr.name, cachedEvents.get(nr.name)! + nr.events);
            continue;
          }
          computedEvents.set(nr.name, computedEvents.get(nr.name)! + nr.events);
          computedChunks.set(nr.name, computedChunks.get(nr.name)! + 1);
          computeSeconds.set(nr.name, (computeSeconds.get(nr.name) ?? 0) + nr.seconds);
          done.set(nr.name, done.get(nr.name)! + 1);
          emit({ type: 'chunk-done', node: nr.name, chunk: chunkLabel(chunks[i]!), events: nr.events, bytes: nr.bytes, cached: false, seconds: nr.seconds });
          emit({ type: 'node-progress', node: nr.name, done: done.get(nr.name)!, total: nChunks, unit: 'chunks' });
        }
      } else if (r) partials = r.partials;
      for (const name of wantPartial) {
        const enc = partials?.get(name);
        if (!enc) throw new Error(`internal: no partial for node '${name}' chunk ${i}`);
        const kind = plan.nodes.get(name)!.kind as ChunkNodeKind;
        const part = codecOf(kind).decode(enc.meta, enc.payloads);
        acc.set(name, acc.has(name) ? kind.reduce!.combine(acc.get(name), part) : part);
      }
    }
    opts.signal.removeEventListener('abort', onAbort);
    if (groupError !== undefined) {
      // the node a chunk failed in is named in its message; the others of the group only shared the chunk
      const culprit = failingMember(groupError) ?? src;
      const before = new Set(members.slice(0, members.indexOf(culprit)));
      for (const m of members) {
        if (m === culprit) out.set(m.name, fail(m, groupError, tStart));
        else {
          const msg = before.has(m) ? `stopped: node '${culprit.name}' failed on the same chunks` : `input chunk failed: ${errorMessage(groupError)}`;
          emit({ type: 'node-failed', node: m.name, kind: m.kind.kind, error: msg });
          summary[m.name] = { status: 'failed', reason: 'error', seconds: 0, error: msg };
          out.set(m.name, { ok: false, because: m.name });
        }
      }
      return out;
    }

    for (const m of members) {
      const seconds = computeSeconds.get(m.name) ?? 0;
      const kind = m.kind as ChunkNodeKind;
      const base = bases.get(m.name)!;
      const partHashes = included.map((i) => hashes.get(m.name)![i]!);
      const rec = records.get(m.name);
      let hash: string;
      let load: () => Promise<unknown>;
      let computedAgg = false;
      try {
        if (m.role === 'reducer') {
          const cached = reducerCached.get(m.name);
          const finalCodec = (kind.finalCodec ?? kind.codec ?? structuredCodec) as Codec<unknown>;
          if (cached && included.length === nChunks) {
            hash = cached.hash;
            store!.touch(cached.key);
            load = once(async () => {
              const enc = (await readEncoded(store!, cached.key))!;
              return finalCodec.decode(enc.meta, enc.payloads);
            });
          } else if (store && !forced.has(m.name) && included.length === nChunks && store.get(reduceKey(base, partHashes))) {
            // every partial hash turned out unchanged (early cut-off below us): the merged entry stands
            const rk = reduceKey(base, partHashes);
            hash = store.get(rk)!.outputHash;
            store.touch(rk);
            const value = acc.get(m.name);
            load = async () => (kind.reduce!.finish ? kind.reduce!.finish(value) : value);
          } else {
            computedAgg = true;
            let total = acc.get(m.name);
            if (total === undefined) {
              if (!kind.reduce!.empty) throw new Error(`node '${m.name}': no chunks to reduce (all inputs skipped?)`);
              total = kind.reduce!.empty();
            }
            const value = kind.reduce!.finish ? kind.reduce!.finish(total) : total;
            const enc = finalCodec.encode(value);
            const rk = reduceKey(base, partHashes);
            hash = hashEncoded(enc);
            if (store && kind.cacheable !== false) {
              await store.put({ key: rk, label: { graph: plan.graph, node: m.name, kind: kind.kind, chunk: 'merged' }, meta: { c: enc.meta, n: 0 } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash });
            }
            load = async () => value;
          }
        } else {
          hash = sha256(partHashes.join(','));
          load = async () => {
            throw new Error(`node '${m.name}': EventChunks are consumed per chunk`);
          };
        }
      } catch (err) {
        out.set(m.name, fail(m, err, tStart));
        continue;
      }
      try {
        await outputs(m, hash, load);
      } catch (err) {
        out.set(m.name, fail(m, err, tStart));
        continue;
      }
      const events = cachedEvents.get(m.name)! + computedEvents.get(m.name)!;
      const counts = { chunks: nChunks, events, cached_chunks: cachedCount.get(m.name)! };
      const recomputed = computedChunks.get(m.name)! > 0 || computedAgg;
      if (!recomputed) {
        if (!allCached(m)) emit({ type: 'node-cached', node: m.name, kind: kind.kind });
        summary[m.name] = { status: 'cached', reason: 'unchanged', seconds: 0, ...counts };
      } else {
        const reason = corrupt.has(m.name) ? 'corrupt' : reasons.get(m.name) ?? 'new';
        emit({ type: 'node-done', node: m.name, kind: kind.kind, seconds, outputUnchanged: rec?.output === hash || undefined, chunks: nChunks, events, cachedChunks: counts.cached_chunks });
        summary[m.name] = { status: 'computed', reason, seconds, ...counts };
      }
      await writeRecord(m, { version: base.version, params: base.params, code: base.code, inputs: sha256(chunks.map((c) => c.id).join(',')), output: hash }, rec);
      out.set(m.name, { ok: true, hash, load });
    }
    return out;
  };

  // ---------------------------------------------------------------------------------------------
  let cancelled = false;
  try {
    for (const n of plan.order) {
      if (n.role === 'global') results.set(n.name, runGlobal(n));
      else if (n.role === 'source') {
        const group = runGroup(n);
        for (const m of plan.groups.get(n.name)!) results.set(m.name, group.then((r) => r.get(m.name)!));
      }
    }
    // Promise.all below rejects on the first cancellation; the others must not become unhandled
    for (const p of results.values()) p.catch(() => {});
    await Promise.all(results.values());
  } catch (err) {
    if (!(err instanceof RunCancelled)) throw err;
    cancelled = true;
  } finally {
    await pool?.destroy();
  }
  if (!cancelled && Object.keys(newManifest).length) await writeManifest(opts.outDir, { ...manifest, ...newManifest });
  const ok = !cancelled && plan.order.every((n) => summary[n.name]?.status === 'cached' || summary[n.name]?.status === 'computed');
  const done: RunSummary = {
    type: 'run-done', ok, seconds: (performance.now() - t0) / 1000, nodes: summary,
    ...(skippedFiles.length ? { skippedFiles: skippedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) } : {}),
    ...(pool?.workerStats ? { workers: pool.workerStats() } : {}), t: Date.now(),
  };
  events.next(done);
  if (cancelled) throw new RunCancelled('cancelled');
  return done;
}

interface EncodedPartials {
  partials: Map<string, EncodedValue>;
}

class ChunkError extends Error {
  override name = 'ChunkError';
  constructor(chunk: ChunkSpec, cause: unknown) {
    super(`${chunk.file.path} [${chunk.start}:${chunk.stop}]: ${withoutPath(errorMessage(cause), chunk.file.path)}`, { cause });
  }
}

/** The reader's messages start with the file; where the file is named already, name it once. */
function withoutPath(message: string, path: string): string {
  return message.replace(`${path}: `, '');
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}

function forcedSet(g: LoadedGraph, names: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (!g.plan.nodes.has(name)) {
      throw Object.assign(new Error(`--force ${name}: no such node (nodes: ${g.plan.order.map((n) => n.name).join(', ')})`), { user: true });
    }
    const stack = [name];
    while (stack.length) {
      const n = stack.pop()!;
      if (out.has(n)) continue;
      out.add(n);
      stack.push(...g.plan.nodes.get(n)!.consumers);
    }
  }
  return out;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
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

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

function canonical(r: NodeRecord): string {
  return `${r.version}|${r.params}|${r.code}|${r.inputs}|${r.output}`;
}

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** out/<graph>/.flow-outputs.json: which node output hash each set of files was written from, so a
 *  no-change re-run neither loads values nor rewrites files. */
type Manifest = Record<string, { hash: string; files: string[] }>;
const MANIFEST = '.flow-outputs.json';

async function readManifest(outDir: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(join(outDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

async function writeManifest(outDir: string, m: Manifest): Promise<void> {
  await atomicWrite(join(outDir, MANIFEST), `${JSON.stringify(m, null, 1)}\n`);
}

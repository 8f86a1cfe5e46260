// Cache keys (Bazel-style). A node's identity ("base") is hash(kind, kind version, canonical params
// without functions, source hashes of the user functions in its params). Result keys add what the
// result depends on:
//   global node: base + the OUTPUT hashes of its inputs (early cut-off: an input recomputed to the
//                same bytes leaves this key unchanged)
//   chunk node:  base + chunk id (file fingerprint + tree + entry range) + the upstream node's output
//                hash for that chunk (none for the chunk source)
//   reducer:     base + the per-chunk partial hashes in chunk order
import { canonicalJson, functionSourceHash, hashKey, sha256 } from '../../cache/hash.ts';
import type { ChunkSpec, FileFingerprint } from './node-kind.ts';
import { sourceIdentifiers, type ModuleContext } from './module-context.ts';

export interface NodeBase {
  kind: string;
  version: string;
  /** Hash of the params with every function replaced by a placeholder. */
  params: string;
  /** Hash of the user functions' sources (in param-walk order). */
  code: string;
  /** hash of all of the above: the prefix of every key of this node. */
  hash: string;
}

/** `moduleContext`: the graph module outside its builder (module-context.ts); its hash is part of
 *  the code hash of nodes whose functions use a name declared at its top level or imported.
 *  `graphParams`: the graph's parameters. User functions close over them (`where: (e) => e.n >= p.min`)
 *  and a source hash cannot see their values, so the values of the graph params whose names occur
 *  in a function's source are part of the node's params hash (over-inclusion is harmless). */
/** The kind version as keys see it: `--strict` changes what node code does with its warnings
 *  (they fail the node), so a strict run never reuses a result computed without it. */
export function keyVersion(version: string, strict: boolean | undefined): string {
  return strict ? `${version}+strict` : version;
}

export function nodeBase(kind: string, version: string, params: unknown, graphParams: unknown = {}, moduleContext?: ModuleContext): NodeBase {
  const fns: string[] = [];
  const sources: string[] = [];
  const stripped = stripFunctions(params, fns, sources, new Set());
  const captured: Record<string, unknown> = {};
  if (sources.length && graphParams && typeof graphParams === 'object') {
    for (const [k, v] of Object.entries(graphParams)) {
      const word = new RegExp(`(^|[^A-Za-z0-9_$])${k.replace(/[$]/g, '\\$')}($|[^A-Za-z0-9_$])`);
      if (sources.some((src) => word.test(src))) captured[k] = v;
    }
  }
  const p = sha256(canonicalJson(Object.keys(captured).length ? [stripped, captured] : stripped));
  // functions may also use module-level constants/helpers: their context is part of the code hash
  const usesModule = moduleContext?.hash !== undefined && sources.some((src) => {
    const ids = sourceIdentifiers(src);
    return moduleContext.names.some((n) => ids.has(n));
  });
  const c = sha256(fns.length ? `${fns.join('\n')}\n${usesModule ? moduleContext!.hash : ''}` : '');
  return { kind, version, params: p, code: c, hash: hashKey([kind, version, p, c]) };
}

function stripFunctions(v: unknown, fns: string[], sources: string[], seen: Set<object>): unknown {
  if (typeof v === 'function') {
    fns.push(functionSourceHash(v));
    sources.push(v.toString());
    return { $fn: fns.length - 1 };
  }
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || seen.has(v)) return v;
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => stripFunctions(x, fns, sources, seen));
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, stripFunctions(x, fns, sources, seen)]));
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = stripFunctions((v as Record<string, unknown>)[k], fns, sources, seen);
    return out;
  } finally {
    seen.delete(v);
  }
}

export function globalKey(base: NodeBase, inputHashes: string[]): string {
  return hashKey(['global', base.hash, inputHashes]);
}

export function chunkKey(base: NodeBase, chunkId: string, upstreamHash: string | null): string {
  return hashKey(['chunk', base.hash, chunkId, upstreamHash]);
}

export function reduceKey(base: NodeBase, partHashes: string[]): string {
  return hashKey(['reduce', base.hash, partHashes]);
}

/** Chunk plans are cached per file: re-planning opens the file, which a no-change re-run avoids. */
export function planKey(base: NodeBase, fingerprint: FileFingerprint, maxEntries: number | undefined, chunkSize: number): string {
  return hashKey(['plan', base.kind, base.version, base.params, fingerprint, maxEntries ?? null, chunkSize]);
}

/** Per (graph, node) record of the last key parts, to explain why a node recomputes. */
export function recordKey(graph: string, node: string): string {
  return hashKey(['record', graph, node]);
}

export function memoKey(nodeKey: string, key: unknown): string {
  return hashKey(['memo', nodeKey, key]);
}

/** Stable id of a chunk: what the file is (fingerprint) and which slice of which tree. */
export function chunkId(c: Pick<ChunkSpec, 'file' | 'tree' | 'start' | 'stop'>): string {
  // The sample metadata (sample, process, variation, xsec, nevts, ...) is part of the identity:
  // select/fill read it, so a changed cross-section or the same file listed under two samples must
  // not be served another chunk's result.
  const { fingerprint, path: _path, ...metadata } = c.file;
  return hashKey(['chunk-id', fingerprint, metadata, c.tree, c.start, c.stop]).slice(0, 24);
}

/** The data a chunk holds, without the sample metadata: the key part of kinds that never read that
 *  metadata (the skim), so a changed cross-section re-runs select/fill on cached columns instead of
 *  re-reading the files, and a file listed under two samples is read once. */
export function chunkDataId(c: Pick<ChunkSpec, 'file' | 'tree' | 'start' | 'stop'>): string {
  return hashKey(['chunk-data', c.file.fingerprint, c.tree, c.start, c.stop]).slice(0, 24);
}

/** The chunk id a node's key uses (see `sampleMetadata` in node-kind.ts). */
export function chunkIdFor(kind: { sampleMetadata?: boolean }, c: Pick<ChunkSpec, 'id' | 'dataId'>): string {
  return kind.sampleMetadata === false && c.dataId ? c.dataId : c.id;
}

/** Deterministic 32-bit seed for (node, chunk). */
export function chunkSeed(node: string, id: string): number {
  return Number.parseInt(sha256(`${node}\0${id}`).slice(0, 8), 16) >>> 0;
}

/** What a chunk's seed derives from: the file's content identity and the entry range when the
 *  file has one (the same numbers whether it is read locally, over https or root://), else the
 *  chunk id. */
export function chunkSeedId(c: Pick<ChunkSpec, 'id' | 'file' | 'tree' | 'start' | 'stop'>): string {
  return c.file.identity ? hashKey(['chunk-seed', c.file.identity, c.tree, c.start, c.stop]).slice(0, 24) : c.id;
}

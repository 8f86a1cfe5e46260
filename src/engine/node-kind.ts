// The node-kind interface: what a module in nodes/<kind>.ts exports (as its default export) so the
// engine can validate, cache, schedule and run it. Node kinds are written by several people against
// this file; it only changes compatibly (new optional members).
//
// Two levels of node:
//  - 'global' nodes (fetch, merge, build-workspace, fit, limit, datacard, plot) run once per run, in
//    the main thread, on whole artifacts: `run(inputs, params, ctx) -> output`.
//  - 'chunk' nodes (skim, select, fill) run once per chunk (a file x entry-range slice) inside a
//    worker; all chunk nodes fed by one skim run in ONE task per chunk (the chunk is read once).
//    * the chunk SOURCE (skim) takes a FileSet, plans chunks with `plan` in the main thread and
//      produces a per-chunk `EventBatch` from the `ChunkSpec` it is handed;
//    * a chunk TRANSFORM (select) takes one EventChunks input and returns an EventBatch per chunk;
//    * a chunk REDUCER (fill) takes one EventChunks input and returns a per-chunk partial of a
//      global artifact (e.g. Histograms); the engine merges partials in the main thread as they
//      arrive with `reduce` (memory flat in the number of chunks) and the merged value is what
//      downstream global nodes receive.
//   Every per-chunk output is cached separately, keyed by the chunk id (file fingerprint + entry
//   range) and the upstream chunk output's hash, so a changed fill re-fills from cached skims.
//
// Rules for `run` / `runChunk`: pure functions of (inputs, params, chunk). Anything else that the
// result depends on must be in `version` (bump it when the kind's code changes behaviour) or in
// the params. User functions in params are hashed by their source text (see docs/engine.md).
import type { output, ZodType } from 'zod';
import type { EventColumnBatch } from '../columns.ts';

/** The artifact types flowing along edges. `Json` is a catch-all for small JSON-able results. */
export type ArtifactType =
  | 'FileSet' | 'EventChunks' | 'Histograms' | 'Workspace' | 'FitResult' | 'LimitResult'
  | 'Datacards' | 'Figures' | 'Json';


// ---------------------------------------------------------------------------------------------
// FileSet (output of fetch) and chunks

/** Identity of an input file's content (cache/fingerprint.ts): local {path, size, mtimeMs,
 *  sha256?}, remote {url, size, etag, lastModified}. */
export type { FileFingerprint } from '../../cache/fingerprint.ts';
import type { FileFingerprint } from '../../cache/fingerprint.ts';
import type { MemoTable } from '../../cache/types.ts';

/** One input file with the metadata later nodes need (weights: xsec * lumi / nevts or / sumw). */
export interface FileInfo {
  /** Local absolute path or https URL. */
  path: string;
  /** Sample name as in the fileset (e.g. 'ttbar', 'data'). */
  sample: string;
  /** Physics process (defaults to the sample name). */
  process: string;
  /** Variation of the sample ('nominal', 'scaledown', 'ME_var', ...). */
  variation: string;
  /** Cross-section in pb, if known. */
  xsec?: number;
  /** Number of generated events of this file (before any cut), if known. */
  nevts?: number;
  /** Sum of generator weights of this file, if known. */
  sumw?: number;
  /** Only read the first N entries (fetch `maxEventsPerFile`). */
  maxEntries?: number;
  /** Anything else from the fileset entry (JSON-able). */
  metadata?: Record<string, unknown>;
  fingerprint: FileFingerprint;
  /** What the file is, from its content, the same from any location (src/root/read/identity.ts):
   *  per-chunk seeds derive from it, so local, https and root:// reads agree. */
  identity?: string;
}

export interface FileSet {
  files: FileInfo[];
  /** Files dropped by fetch (`skipBadFiles`): listed in the run summary. */
  skipped?: Array<{ path: string; reason: string }>;
  /** Also skip (and list) files that fail later: at planning or reading (fetch's `skipBadFiles`,
   *  the same as `flow run --skip-bad-files` for these files). */
  skipBadFiles?: boolean;
}

/** What a chunk source's `plan` returns for one file: a tree and an entry range [start, stop). */
export interface ChunkRange {
  /** Tree (or RNTuple) name. */
  tree: string;
  start: number;
  stop: number;
}

/** A (file, entry range) slice, built by the engine from the source's ranges. `id` is stable across
 *  runs as long as the file's fingerprint and the range are unchanged: it is part of every
 *  per-chunk cache key. Plain data (it travels in chunk tasks). */
export interface ChunkSpec extends ChunkRange {
  id: string;
  /** the id without the sample metadata (see `sampleMetadata`; always set by the engine) */
  dataId?: string;
  file: FileInfo;
}

/** Per-chunk value of an EventChunks artifact: equally long columns (src/columns.ts) plus small
 *  JSON-able metadata (e.g. a cutflow) that travels with the chunk and is cached with it. */
export interface EventBatch extends EventColumnBatch {
  readonly meta?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Contexts handed to node code

export interface BaseContext {
  /** Graph name and this node's name (for messages). */
  readonly graph: string;
  readonly node: string;
  /** Shown on the run's event stream (the dashboard / plain log). */
  log(message: string): void;
  warn(message: string): void;
  /** Aborted on Ctrl-C: long loops should check `signal.aborted` now and then. */
  readonly signal: AbortSignal;
}

export interface ChunkContext extends BaseContext {
  readonly chunk: ChunkSpec;
  /** Deterministic 32-bit seed for this (node, chunk): use for smearing etc. so re-runs agree. */
  readonly seed: number;
}

export interface NodeContext extends BaseContext {
  /** Report progress of a long global node (scans): shown on the dashboard. */
  progress(done: number, total: number, unit?: string): void;
  /** Memoise a sub-result in the cache (e.g. one point of a limit scan) so an interrupted run
   *  resumes: `key` is any JSON-able value (hashed together with this node's cache key). The value
   *  must be JSON-able. Without a cache (`--no-cache`) it simply calls `compute`. */
  memo<T>(key: unknown, compute: () => Promise<T> | T): Promise<T>;
  /** A named memo table of the run's store, shared by every node and run (undefined without a
   *  cache): small facts keyed by their own identity, e.g. fetch's file content hashes
   *  (cache/fingerprint.ts `contentHash`), so an unchanged file is not read again. */
  memoTable?(name: string): MemoTable | undefined;
  /** Worker count of this run (e.g. to split a scan). */
  readonly workers: number;
  /** `flow run --skip-bad-files`: input nodes skip (and list) unreadable files. */
  readonly skipBadFiles?: boolean;
  /** The run's cache directory (null with --no-cache): where nodes keep derived files, e.g. the
   *  generate node's synthetic samples. */
  readonly cacheDir?: string | null;
  /** Run `kind.tasks[task](item, params)` for every item on the worker pool, in parallel; results in
   *  item order. Items and results must be structured-cloneable. With `memo: true` every finished
   *  item is cached (results must be JSON-able), so an interrupted scan resumes where it stopped.
   *  Progress is reported on the dashboard. (With `--workers 0`: in the main thread.) */
  parallel<T, R>(task: string, items: readonly T[], opts?: { memo?: boolean }): Promise<R[]>;
}

export interface PlanContext extends BaseContext {
  /** Target entries per chunk (run option, default 200_000). */
  readonly chunkSize: number;
}

export interface OutputContext extends BaseContext {
  /** The run's output directory (`--out`, default out/<graph>/). */
  readonly outDir: string;
  /** Write a file under outDir atomically (temp + rename). `relPath` may contain directories. */
  writeFile(relPath: string, data: Uint8Array | string): Promise<void>;
}

/** How a value is turned into cache bytes and back. `meta` must be JSON-able (stored inline in the
 *  index), payloads are stored as content-addressed blobs. The engine's default codec handles
 *  JSON-able values containing typed arrays (typed arrays become payloads), and EventBatch as
 *  Arrow IPC (List columns for jagged). */
export interface Codec<T> {
  encode(value: T): { meta: unknown; payloads: Uint8Array[] };
  decode(meta: unknown, payloads: Uint8Array[]): T;
}

// ---------------------------------------------------------------------------------------------
// The node kind

/** Inputs accepted by a kind: a fixed list of artifact types (positional), or any number of one type
 *  (`{ variadic: 'Histograms' }`, e.g. merge), or of several types (`{ variadic: ['FitResult', 'LimitResult'] }`). */
export type InputSpec =
  | readonly ArtifactType[]
  /** Any number of inputs, each of the given type or one of the given types (e.g. plot). */
  | { readonly variadic: ArtifactType | readonly ArtifactType[]; readonly min?: number };

interface KindCommon<P, O, A extends ArtifactType = ArtifactType> {
  /** Kind name, e.g. 'fill', 'build-workspace'; equals the module name nodes/<kind>.ts. */
  readonly kind: string;
  /** Bump whenever the kind's behaviour changes: part of every cache key of this kind. */
  readonly version: string;
  /** One line for `flow graph` and the docs. */
  readonly description?: string;
  /** zod schema of the params. Functions: use `fn()` from src/index.ts (z.custom on functions). */
  readonly params: ZodType<P>;
  readonly inputs: InputSpec;
  readonly output: A;
  /** Cache codec of the output (global nodes) or of the per-chunk output (chunk nodes). */
  readonly codec?: Codec<O>;
  /** Write the node's final value to the output directory (histograms.root, fit.json, ...).
   *  Called in the main thread after the node completes or is served from cache. */
  writeOutputs?(value: O, params: P, ctx: OutputContext): Promise<void> | void;
  /** Set false for kinds whose result must never be cached (rare; e.g. a clock). */
  readonly cacheable?: boolean;
  /** Named functions that `ctx.parallel(task, items)` runs in the workers (the worker rebuilds the
   *  graph and finds this kind again: functions never cross threads). */
  readonly tasks?: Record<string, (item: any, params: P) => unknown>;
  /** Volatility, declared by the kind (the engine special-cases no kind by name): a global kind
   *  that probes the outside world cheaply (fetch: glob + stat; generate) runs on every run and is
   *  never served from the cache; the node is reported cached when its output hash is unchanged,
   *  and descendants stay cached. */
  readonly volatile?: boolean;
  /** Chunk kinds: false when the output depends only on the chunk's data, never on its sample
   *  metadata (sample, process, xsec, ...): cached results then survive metadata changes and are
   *  shared by samples listing the same file. Default true. */
  readonly sampleMetadata?: boolean;
}

export interface GlobalNodeKind<P = any, O = any, A extends ArtifactType = ArtifactType> extends KindCommon<P, O, A> {
  readonly level: 'global';
  /** inputs: the upstream values in input order (variadic: all of them). */
  run(inputs: any[], params: P, ctx: NodeContext): Promise<O> | O;
}

/** Per-chunk partials of a reducer are merged with `reduce.combine`; the merged value is the node's
 *  artifact. `combine` may mutate and return `acc`. `finish` (optional) post-processes the total. */
export interface Reducer<Part, O> {
  combine(acc: Part, part: Part): Part;
  finish?(total: Part): O;
  /** Value when there are zero chunks (e.g. all files skipped); if absent the node fails. */
  empty?(): Part;
}

export interface ChunkNodeKind<P = any, Part = any, O = any, A extends ArtifactType = ArtifactType> extends KindCommon<P, Part, A> {
  readonly level: 'chunk';
  /** Chunk source only (input 'FileSet'): split the files into entry ranges, in the main thread
   *  (the engine calls it with one file at a time and builds the chunk ids). Must be
   *  deterministic; its result is cached per file fingerprint. */
  plan?(files: FileSet, params: P, ctx: PlanContext): Promise<ChunkRange[]> | ChunkRange[];
  /** Per chunk, in a worker. Source: `input` is undefined (read `ctx.chunk`). Transform/reducer:
   *  `input` is the upstream node's EventBatch for the same chunk. Return an EventBatch (output
   *  'EventChunks') or a partial of the output artifact (reducers). */
  runChunk(input: EventBatch | undefined, params: P, ctx: ChunkContext): Promise<Part> | Part;
  /** Required when output !== 'EventChunks'. */
  readonly reduce?: Reducer<Part, O>;
  /** Codec of the reduced (final) value, if different from the default. */
  readonly finalCodec?: Codec<O>;
}

export type NodeKind = GlobalNodeKind | ChunkNodeKind;

/** Identity function that gives a kind module good type inference:
 *  `export default defineNodeKind({ kind: 'fill', level: 'chunk', params: z.object({...}), ... })`:
 *  the params type is inferred from the zod schema (`run(inputs, p)` sees `p` typed, no
 *  annotation), and the output artifact type stays literal (`g.node(kind, ...)` returns its handle). */
export function defineNodeKind<S extends ZodType, O, A extends ArtifactType>(kind: GlobalNodeKind<output<S>, O, A> & { readonly params: S }): GlobalNodeKind<output<S>, O, A>;
export function defineNodeKind<S extends ZodType, Part, O, A extends ArtifactType>(kind: ChunkNodeKind<output<S>, Part, O, A> & { readonly params: S }): ChunkNodeKind<output<S>, Part, O, A>;
export function defineNodeKind(kind: NodeKind): NodeKind {
  return kind;
}

// What travels in a BullMQ job and its return value. BullMQ stores both as JSON; task and result
// values (NaN, typed arrays, Maps in ctx.parallel items) need structured-clone fidelity, so they
// travel v8-serialised (base64) inside a small JSON envelope. Partial payloads do not travel here:
// they go through the shared blob store and the result names their sha256.
import { deserialize, serialize } from 'node:v8';
import type { ChunkTaskResult } from '../engine/chunk-task.ts';

export interface JobData {
  kind: 'chunk' | 'node-task';
  runId: string;
  /** hepflow version of the coordinator: a worker with another version refuses the job. */
  version: string;
  /** sha256 of the shipped code manifest (bundle.ts). */
  codeHash: string;
  graph: string;
  sets: Record<string, string>;
  /** false: --no-cache on the coordinator (the worker neither reads nor writes caches). */
  cache: boolean;
  /** base64 of v8.serialize(ChunkTask | NodeTask), paths as on the coordinator. */
  task: string;
}

/** A chunk result whose partial payloads are replaced by their blob digests. */
export type WireChunkResult = Omit<ChunkTaskResult, 'nodes'> & {
  nodes: Array<Omit<ChunkTaskResult['nodes'][number], 'partial'> & { partial?: { meta: unknown; digests: string[] } }>;
};

export interface JobResult {
  worker: string;
  host: string;
  events: number;
  seconds: number;
  /** base64 of v8.serialize(WireChunkResult | node-task value) */
  value: string;
}

export const pack = (v: unknown): string => serialize(v).toString('base64');
export const unpack = <T>(s: string): T => deserialize(Buffer.from(s, 'base64')) as T;

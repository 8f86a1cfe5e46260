// Every Redis key and queue name scale-out uses, in one place (prefix `hf:`; BullMQ adds `bull:`).
export const PREFIX = 'hf';

/** Action cache of one graph: hash field = cache key, value = CacheEntry JSON. */
export const acKey = (graph: string): string => `${PREFIX}:ac:${graph}`;
/** A content-addressed blob (sha256 hex) kept in Redis. */
export const blobKey = (sha: string): string => `${PREFIX}:blob:${sha}`;
/** Source files and manifests of shipped graph code (sha256 hex). */
export const codeKey = (sha: string): string => `${PREFIX}:code:${sha}`;
/** Hash of the runs being served: field = run id, value = RunRecord JSON. */
export const RUNS = `${PREFIX}:runs`;
/** Sorted set of workers, score = time of the last heartbeat (ms). */
export const WORKERS = `${PREFIX}:workers`;
/** BullMQ queue of one run (queue names cannot contain ':'). */
export const queueName = (runId: string): string => `hf-run-${runId}`;

// The run's event stream: every state change is one typed event on an rxjs Subject. The Ink
// dashboard, the plain line logger and the NDJSON printer (src/ui/) are three subscribers of it.
// Keep events small and JSON-serialisable: `--ui json` prints them as they are.

export type NodeStatus = 'cached' | 'computed' | 'failed' | 'skipped';

/** Why a node (or chunk) is recomputed: what changed since the cached result. */
export type RecomputeReason = 'new' | 'params' | 'code' | 'input' | 'version' | 'forced' | 'no-cache' | 'corrupt';

export type RunEvent =
  | { type: 'run-start'; graph: string; file: string; nodes: string[]; workers: number; cacheDir: string | null; t: number }
  | { type: 'node-queued'; node: string; kind: string; t: number }
  /** total: expected chunks (event-level nodes) or undefined */
  | { type: 'node-start'; node: string; kind: string; reason: RecomputeReason; chunks?: number; cachedChunks?: number; t: number }
  | { type: 'node-progress'; node: string; done: number; total: number; unit: string; t: number }
  /** bytes: the chunk's output; read: what the node read from the input file (source nodes) */
  /** A chunk still being read: `events` of its `total` so far (the source node, throttled) */
  | { type: 'chunk-progress'; node: string; chunk: string; events: number; total: number; t: number }
  | { type: 'chunk-done'; node: string; chunk: string; events: number; bytes: number; cached: boolean; seconds: number; read?: { bytes: number; requests: number }; t: number }
  | { type: 'node-cached'; node: string; kind: string; t: number }
  /** outputUnchanged: early cut-off (recomputed, same output hash as the cached one) */
  | { type: 'node-done'; node: string; kind: string; seconds: number; outputUnchanged?: boolean; chunks?: number; events?: number; cachedChunks?: number; t: number }
  | { type: 'node-failed'; node: string; kind: string; error: string; t: number }
  | { type: 'node-skipped'; node: string; kind: string; because: string; t: number }
  | { type: 'warning'; node?: string; message: string; t: number }
  | { type: 'log'; node?: string; message: string; t: number }
  | { type: 'output'; node: string; path: string; t: number }
  /** Scale-out (--executor redis://): a worker process started serving the run, stopped, is alive
   *  (heartbeat: busy slots of `slots`, totals for this run), refused the run or failed a job. */
  | { type: 'worker'; id: string; host: string; pid: number; state: 'start' | 'stop' | 'heartbeat' | 'refused' | 'failed'; slots?: number; busy?: number; chunks?: number; events?: number; message?: string; t: number }
  | {
      type: 'run-done';
      ok: boolean;
      /** The run was stopped (Ctrl-C, SIGTERM, a process ended inside node code) before it finished. */
      interrupted?: boolean;
      seconds: number;
      nodes: Record<string, {
        status: NodeStatus;
        reason: string;
        seconds: number;
        chunks?: number;
        events?: number;
        cached_chunks?: number;
        error?: string;
      }>;
      skippedFiles?: Array<{ path: string; reason: string }>;
      /** Input I/O of the chunks computed: bytes and requests, the files' total size and the
       *  fraction of it read. Absent when nothing was read. */
      read?: { bytes: number; requests: number; fileBytes: number; fraction?: number };
      /** Scale-out only: per worker process, what it did for this run. */
      workers?: Record<string, { host: string; chunks: number; events: number; seconds: number }>;
      t: number;
    };

export type RunEventType = RunEvent['type'];

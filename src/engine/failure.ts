// Failures of node code as data. A chunk that fails in a worker comes back as a ChunkFailure (plain
// data: it crosses a thread or a queue unchanged), never as a formatted string to parse; the main
// thread formats it once, for the event stream and the summary.
import type { ChunkSpec } from './node-kind.ts';

export interface ChunkFailure {
  /** The node whose code threw. */
  node: string;
  kind: string;
  /** Chunk label (`file.root[0:200000]`). */
  chunk: string;
  /** First line of the error's message. */
  message: string;
  /** The error's class when it says something (TypeError), absent for Error and UserError. */
  errorName?: string;
  /** Where in the user's graph module the error happened (`graphs/hzz.ts:42:17`). */
  at?: string;
  /** The error's `code` (UserError's, e.g. FLOW_TASK_TIMEOUT; a system error's ENOENT). */
  code?: string;
}

/** A warning of node code under --strict: thrown from ctx.warn, it fails the node (or the chunk). */
export class StrictWarning extends Error {
  readonly code = 'FLOW_STRICT';
  constructor(message: string) {
    super(`${message} (a warning, an error with --strict)`);
  }
}

/** What node `node` of kind `kind` threw, as data. */
export function failureOf(node: string, kind: string, err: unknown, graphPath: string, chunk = ''): ChunkFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '').split('\n').find((l) => l.includes(graphPath));
  const at = frame ? /([^\s(]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1]?.replace(/^file:\/\//, '') : undefined;
  // a TypeError says something about the user's code; 'UserError' says nothing the message does not
  const errorName = e.name && e.name !== 'Error' && e.name !== 'UserError' ? e.name : undefined;
  const code = (e as { code?: unknown }).code;
  return {
    node, kind, chunk, message: e.message.split('\n')[0]!,
    ...(errorName ? { errorName } : {}), ...(at ? { at } : {}), ...(typeof code === 'string' ? { code } : {}),
  };
}

/** One line: `node 'sel' (select): TypeError: x is undefined (at graphs/hzz.ts:42:17)`. */
export function describeFailure(f: ChunkFailure): string {
  return `node '${f.node}' (${f.kind}): ${f.errorName ? `${f.errorName}: ` : ''}${f.message}${f.at ? ` (at ${f.at})` : ''}`;
}

export function describeError(node: string, kind: string, err: unknown, graphPath: string): string {
  return describeFailure(failureOf(node, kind, err, graphPath));
}

export function chunkLabel(c: Pick<ChunkSpec, 'file' | 'start' | 'stop'>): string {
  const base = c.file.path.split('/').pop() ?? c.file.path;
  return `${base}[${c.start}:${c.stop}]`;
}

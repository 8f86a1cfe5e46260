/** An error caused by the user's input (file, graph, config, flag). The CLI prints its message
 *  as one line and exits non-zero, without a stack trace. Messages name the thing at fault:
 *  file, tree, branch, node or config key. `code` says what kind of mistake it is, as Node's and
 *  vitest's coded errors do (`err.code === 'FLOW_UNKNOWN_NODE'`), so callers and tests need not
 *  match message text. */
export class UserError extends Error {
  override name = 'UserError';
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? 'FLOW_USER_ERROR';
    this.exitCode = options?.exitCode ?? 2;
  }
}

/** Runs `fn` (sync or async) for input `culprit` (a file, a node): a UserError it throws that does
 *  not name the culprit gets it in front (`card.txt: datacard channel "a": no observation line`). */
export function naming<T>(culprit: string, fn: () => T): T {
  const rename = (err: unknown): never => {
    if (!(err instanceof UserError) || err.message.includes(culprit)) throw err;
    throw new UserError(`${culprit}: ${err.message}`, { cause: err, code: err.code, exitCode: err.exitCode });
  };
  try {
    const v = fn();
    return (v instanceof Promise ? v.catch(rename) : v) as T;
  } catch (err) {
    return rename(err);
  }
}

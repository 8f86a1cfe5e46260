/** An error caused by the user's input (file, graph, config, flag). The CLI prints its message
 *  as one line and exits non-zero, without a stack trace. Messages name the thing at fault:
 *  file, tree, branch, node or config key. */
export class UserError extends Error {
  override name = 'UserError';
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? 2;
  }
}

// Errors of the XRootD client. `XrdServerError` is the server's kXR_error answer (its code and
// text); `XrdTransportError` is everything on the way (refused, dropped, timed out): the client
// retries those on a new connection. Both become one-line UserErrors naming the URL at the source.
import { errorName, isTransientError } from './protocol.ts';

export class XrdServerError extends Error {
  override name = 'XrdServerError';
  readonly code: number;
  readonly text: string;
  constructor(code: number, text: string) {
    super(`${errorName(code)}: ${text.trim() || 'no message'}`);
    this.code = code;
    this.text = text;
  }
  get transient(): boolean {
    return isTransientError(this.code);
  }
}

export class XrdTransportError extends Error {
  override name = 'XrdTransportError';
  /** True for a request that got no answer in time (vs. a refused or dropped connection). */
  readonly timeout: boolean;
  constructor(message: string, opts: { timeout?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.timeout = opts.timeout ?? false;
  }
}

/** Something no retry mends (a redirect loop, a malformed answer): fails at once. */
export class XrdClientError extends Error {
  override name = 'XrdClientError';
}

/** Worth another attempt on a fresh connection. */
export function isRetryable(err: unknown): boolean {
  return err instanceof XrdTransportError || (err instanceof XrdServerError && err.transient);
}

/** The same error saying how many attempts were made (a new object: a connection's error is
 *  shared by all its pending requests). */
export function withAttempts(err: unknown, attempts: number): unknown {
  if (err instanceof XrdTransportError) return new XrdTransportError(`${err.message} (${attempts} attempts)`, { timeout: err.timeout, cause: err });
  if (err instanceof XrdServerError) return new XrdServerError(err.code, `${err.text.trim()} (${attempts} attempts)`);
  return err;
}

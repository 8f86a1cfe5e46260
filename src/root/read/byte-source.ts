// What a byte-range source is (local file, HTTP range requests, XRootD): the interface the sources
// implement and the readers use. No code: the sources and the factory (source.ts) both depend on it.

export interface ByteRange {
  offset: number;
  length: number;
}

export interface ByteSource {
  /** The path or URL, for messages. */
  readonly name: string;
  size(): Promise<number>;
  /** One buffer per requested range, in request order. */
  read(ranges: ByteRange[]): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

export interface SourceOptions {
  /** HTTP, XRootD: attempts after the first on network errors, timeouts and 5xx / transient
   *  server errors (default 3). */
  retries?: number;
  /** HTTP, XRootD: per-request timeout in milliseconds (default 30000). */
  timeoutMs?: number;
}

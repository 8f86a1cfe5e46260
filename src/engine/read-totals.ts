// The run's input I/O: bytes and requests the chunks read, and which fraction of the files read
// that is (the AGC's "fraction of the file read"), for chunk-done and run-done.
import type { ReadCounter } from '../read-counter.ts';
import type { FileInfo } from './node-kind.ts';

export interface ReadSummary extends ReadCounter {
  /** Total size of the files chunks read from (when their fingerprints know it). */
  fileBytes: number;
  /** bytes / fileBytes. */
  fraction?: number;
}

export class ReadTotals {
  private bytes = 0;
  private requests = 0;
  private readonly sizes = new Map<string, number>();

  add(file: FileInfo, read: ReadCounter): void {
    this.bytes += read.bytes;
    this.requests += read.requests;
    const size = (file.fingerprint as { size?: number }).size;
    if (typeof size === 'number' && Number.isFinite(size)) this.sizes.set(file.path, size);
  }

  /** Undefined when nothing was read (everything cached or no file input). */
  summary(): ReadSummary | undefined {
    if (this.requests === 0) return undefined;
    const fileBytes = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    return { bytes: this.bytes, requests: this.requests, fileBytes, ...(fileBytes > 0 ? { fraction: this.bytes / fileBytes } : {}) };
  }
}

// Whole lines to a stream, batched per tick: 10k events per second become a few large writes,
// and a line is never split across writes, so output from other writers cannot land inside it.
// A reader that goes away (`flow run --ui json | head`) stops the output, not the run.
import type { Writable } from 'node:stream';

const MAX_PENDING = 1 << 16;

export class LineWriter {
  readonly #out: Writable;
  #pending: string[] = [];
  #pendingChars = 0;
  #scheduled = false;
  #closed = false;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', () => {
      this.#closed = true;
      this.#pending = [];
    });
  }

  line(text: string): void {
    if (this.#closed) return;
    this.#pending.push(text + '\n');
    this.#pendingChars += text.length + 1;
    if (this.#pendingChars >= MAX_PENDING) this.#write();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#write());
    }
  }

  #write(cb?: (err?: Error | null) => void): void {
    this.#scheduled = false;
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    if (chunk && !this.#closed) this.#out.write(chunk, () => cb?.());
    else cb?.();
  }

  /** Write what is pending; resolves once the stream has taken it. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#write(() => resolve());
    });
  }
}

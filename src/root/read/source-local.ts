// Local files: positional reads on one FileHandle, nearby ranges merged into one read.
import fs from 'node:fs/promises';
import { UserError } from '../../errors.ts';
import { acquireBuffer } from './buffer-pool.ts';
import { readCoalesced } from './coalesce.ts';
import type { ByteRange, ByteSource } from './byte-source.ts';

/** Ranges closer than this are read as one span: one syscall beats two for small gaps. */
const MAX_GAP = 64 * 1024;

export class LocalSource implements ByteSource {
  readonly name: string;
  private readonly handle: fs.FileHandle;
  private readonly bytes: number;

  private constructor(name: string, handle: fs.FileHandle, bytes: number) {
    this.name = name;
    this.handle = handle;
    this.bytes = bytes;
  }

  static async open(path: string): Promise<LocalSource> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new UserError(`${path}: cannot open: ${why}`, { cause: err });
    }
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw new UserError(`${path}: cannot open: is a directory`);
    }
    return new LocalSource(path, handle, stat.size);
  }

  async size(): Promise<number> {
    return this.bytes;
  }

  async read(ranges: ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, MAX_GAP, 4, (offset, length) => this.readSpan(offset, length));
  }

  private async readSpan(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.bytes) {
      throw new UserError(`${this.name}: file is truncated or corrupt: bytes ${offset}..${offset + length} requested, file has ${this.bytes}`);
    }
    // pooled: a tree reader hands its spans back once its columns are built
    const buf = acquireBuffer(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) throw new UserError(`${this.name}: unexpected end of file at byte ${offset + done}`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

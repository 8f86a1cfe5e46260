// Lets jsroot parse keys, streamers and TTree metadata through our ByteSource, so local files and
// https URLs share one I/O path (coalescing, retries, error messages).
import { FileProxy } from 'jsroot/io';
import type { ByteSource } from './source.ts';

export function makeJsrootProxy(source: ByteSource, size: number): unknown {
  // jsroot's FileProxy is a plain JS class; its types are `any`
  return new (class extends (FileProxy as new () => object) {
    async openFile(): Promise<boolean> { return true; }
    getFileName(): string { return source.name; }
    getFileSize(): number { return size; }
    async readBuffers(place: number[]): Promise<DataView[]> {
      const ranges = [];
      for (let i = 0; i < place.length; i += 2) {
        // jsroot probes the header with a fixed length; never ask past the end of the file
        const offset = place[i]!;
        ranges.push({ offset, length: Math.max(0, Math.min(place[i + 1]!, size - offset)) });
      }
      const parts = await source.read(ranges);
      return parts.map((p) => new DataView(p.buffer, p.byteOffset, p.byteLength));
    }
    closeFile(): void {}
  })();
}

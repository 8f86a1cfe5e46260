// A ROOT file's identity from its content, wherever it is read from (local, https, root://):
// sha256 of its size, its first 512 bytes (the TFile header: UUID, seeks, lengths) and its last
// 64 kB (keys list, streamers and usually the tree metadata with every basket's compressed size),
// so two copies of one file agree and any rewrite of its data almost surely differs. Two reads,
// one round trip each remotely; a whole-content hash would read the whole file.
import { createHash } from 'node:crypto';
import { openSource, type SourceOptions } from './source.ts';

const HEAD = 512;
const TAIL = 64 * 1024;

export async function fileIdentity(location: string, opts: SourceOptions = {}): Promise<string> {
  const src = await openSource(location, opts);
  try {
    const size = await src.size();
    const head = Math.min(HEAD, size);
    const tail = Math.min(TAIL, size - head);
    const [a, b] = await src.read([{ offset: 0, length: head }, { offset: size - tail, length: tail }]);
    const h = createHash('sha256').update(`root-file-identity:v1:${size}\0`).update(a!).update(b!);
    return h.digest('hex').slice(0, 32);
  } finally {
    await src.close();
  }
}

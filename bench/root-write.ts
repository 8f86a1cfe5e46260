// Writer and `flow gen` figures (part of the `root` group: bench/root.ts can spread these in).
// Generation alone, writing pre-generated columns (the writer's own cost: big-endian conversion,
// compression, I/O) and the full `flow gen` pipeline, per compression.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRootFile, type BranchSpec, type CompressionAlgorithm } from '../src/root/write/index.ts';
import { generateNanoAODSync, generateAtlas4lepSync, nanoaodSchema, writeSample } from '../src/gen/index.ts';
import type { ColumnBatch } from '../src/columns.ts';

interface Figure { name: string; value: number; unit: string; note?: string }

function round(x: number): number { return Math.round(x * 10) / 10; }

/** A NanoAOD-like batch of already generated columns, reused for every append. */
function columns(entries: number): { batch: ColumnBatch; payloadBytes: number } {
  const [batch] = [...generateNanoAODSync({ events: entries, seed: 1, chunkSize: entries })];
  let payloadBytes = 0;
  for (const col of Object.values(batch!.columns)) payloadBytes += ArrayBuffer.isView(col) ? col.byteLength : col.content.byteLength;
  return { batch: batch!, payloadBytes };
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const events = opts.quick ? 50_000 : 500_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-bench-write-'));
  const out: Figure[] = [];
  try {
    let t = performance.now();
    for (const b of generateNanoAODSync({ events, seed: 1 })) void b;
    out.push({ name: 'gen.nanoaod_generate', value: round(events / ((performance.now() - t) / 1000) / 1000), unit: 'kHz', note: `${events} ttbar events, columns only` });
    t = performance.now();
    for (const b of generateAtlas4lepSync({ events, seed: 1, process: 'data' })) void b;
    out.push({ name: 'gen.atlas4lep_generate', value: round(events / ((performance.now() - t) / 1000) / 1000), unit: 'kHz', note: `${events} data events, columns only` });

    // Writer alone: append the same pre-generated 16k-event chunk repeatedly.
    const chunk = 16_384;
    const schema: BranchSpec[] = nanoaodSchema('ttbar');
    const { batch, payloadBytes } = columns(chunk);
    const repeats = Math.max(1, Math.round(events / chunk));
    for (const algorithm of ['none', 'zlib', 'zstd'] as CompressionAlgorithm[]) {
      const file = path.join(dir, `w-${algorithm}.root`);
      t = performance.now();
      const f = await createRootFile(file, { compression: { algorithm } });
      const tree = f.createTree('Events', schema);
      for (let r = 0; r < repeats; r++) await tree.append(batch);
      await f.close();
      const s = (performance.now() - t) / 1000;
      const size = fs.statSync(file).size;
      out.push({
        name: `root_write.nanoaod_${algorithm}_MBps`, value: round((payloadBytes * repeats) / s / 1e6), unit: 'MB/s',
        note: `uncompressed payload of ${repeats * chunk} events, ${schema.length} branches; file ${(size / 1e6).toFixed(1)} MB`,
      });
    }
    for (const algorithm of ['zlib', 'zstd'] as CompressionAlgorithm[]) {
      const r = await writeSample({ kind: 'nanoaod', out: path.join(dir, `gen-${algorithm}.root`), events, seed: 1, compression: { algorithm } });
      out.push({ name: `gen.nanoaod_to_root_${algorithm}`, value: round(events / r.seconds / 1000), unit: 'kHz', note: `flow gen nanoaod, ${(r.bytes / 1e6).toFixed(1)} MB` });
    }
    const r = await writeSample({ kind: 'atlas4lep', out: path.join(dir, 'gen-a4l.root'), events, seed: 1, process: 'data' });
    out.push({ name: 'gen.atlas4lep_to_root_zlib', value: round(events / r.seconds / 1000), unit: 'kHz', note: `flow gen atlas4lep (std::vector branches), ${(r.bytes / 1e6).toFixed(1)} MB` });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  for (const f of await run({ json: false, quick: process.argv.includes('--quick') })) console.log(JSON.stringify(f));
}

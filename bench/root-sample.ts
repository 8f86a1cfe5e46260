// A NanoAOD-shaped synthetic tree for the reader's benchmark, written with hepflow's ROOT writer
// (flat and jagged branches of the types the AGC reads). Values are cheap pseudo-random numbers:
// the benchmark measures I/O, not physics.
import type { DType, ColumnBatch, Column } from '../src/columns.ts';
import { createRootFile } from '../src/root/write/index.ts';
import type { CompressionAlgorithm } from '../src/root/write/index.ts';

const jaggedBranches: Array<[string, DType, string]> = [
  ['Jet_pt', 'float32', 'nJet'], ['Jet_eta', 'float32', 'nJet'], ['Jet_phi', 'float32', 'nJet'], ['Jet_mass', 'float32', 'nJet'],
  ['Jet_btagDeepFlavB', 'float32', 'nJet'], ['Jet_jetId', 'int32', 'nJet'],
  ['Muon_pt', 'float32', 'nMuon'], ['Muon_eta', 'float32', 'nMuon'], ['Muon_phi', 'float32', 'nMuon'], ['Muon_tightId', 'bool', 'nMuon'],
  ['Electron_pt', 'float32', 'nElectron'], ['Electron_eta', 'float32', 'nElectron'], ['Electron_cutBased', 'int32', 'nElectron'],
];
const flatBranches: Array<[string, DType]> = [
  ['run', 'uint32'], ['event', 'uint64'], ['nJet', 'uint32'], ['nMuon', 'uint32'], ['nElectron', 'uint32'],
  ['MET_pt', 'float32'], ['MET_phi', 'float32'], ['genWeight', 'float32'], ['HLT_IsoMu24', 'bool'],
];

export const sampleBranches = [...flatBranches.map(([n]) => n), ...jaggedBranches.map(([n]) => n)];

function fill(arr: Float32Array | Int32Array | Uint8Array, seed: number, scale: number): void {
  let x = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    // floats keep 1/64 resolution, as NanoAOD's truncated mantissas do: compressible like real data
    arr[i] = arr instanceof Float32Array ? Math.round((x / 4294967296) * scale * 64) / 64 : x % scale;
  }
}

/** Writes `events` entries to `file`; returns the file path. */
export async function writeSample(file: string, events: number, algorithm: CompressionAlgorithm): Promise<string> {
  const f = await createRootFile(file, { compression: { algorithm, level: algorithm === 'zstd' ? 3 : 1 } });
  const specs = [
    ...flatBranches.map(([name, dtype]) => ({ name, dtype })),
    ...jaggedBranches.map(([name, dtype, counter]) => ({ name, dtype, counter })),
  ];
  const tree = f.createTree('Events', specs, { title: 'Events', clusterEntries: 100_000 });
  const step = 100_000;
  for (let start = 0; start < events; start += step) {
    const n = Math.min(step, events - start);
    const cols: Record<string, Column> = {};
    const counts: Record<string, Int32Array> = {};
    for (const [counter, mean] of [['nJet', 6], ['nMuon', 2], ['nElectron', 2]] as const) {
      const c = new Int32Array(n);
      fill(c, start + mean, mean * 2 + 1);
      counts[counter] = c;
      cols[counter] = new Uint32Array(c.buffer);
    }
    const offsets: Record<string, Int32Array> = {};
    for (const [counter, c] of Object.entries(counts)) {
      const o = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) o[i + 1] = o[i]! + c[i]!;
      offsets[counter] = o;
    }
    cols.run = new Uint32Array(n).fill(1);
    const ev = new BigUint64Array(n);
    for (let i = 0; i < n; i++) ev[i] = BigInt(start + i);
    cols.event = ev;
    for (const [name, seed, scale] of [['MET_pt', 1, 200], ['MET_phi', 2, 6.28], ['genWeight', 3, 2]] as const) {
      const a = new Float32Array(n); fill(a, start + seed, scale); cols[name] = a;
    }
    const trig = new Uint8Array(n); fill(trig, start + 4, 2); cols.HLT_IsoMu24 = trig;
    jaggedBranches.forEach(([name, dtype, counter], k) => {
      const o = offsets[counter]!;
      const total = o[n]!;
      const content = dtype === 'float32' ? new Float32Array(total) : dtype === 'int32' ? new Int32Array(total) : new Uint8Array(total);
      fill(content, start * 31 + k, dtype === 'float32' ? 100 : dtype === 'int32' ? 7 : 2);
      cols[name] = { offsets: o, content };
    });
    const batch: ColumnBatch = { entries: n, columns: cols };
    await tree.append(batch);
  }
  await f.close();
  return file;
}

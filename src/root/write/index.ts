// hepflow's ROOT file writer, in pure TypeScript: TFile with subdirectories, TH1F/TH1D/TH2F/TH2D
// (edges, under/overflow, sumw2, statistics) and streaming TTrees (flat and NanoAOD-style jagged
// branches of every DType, ZLIB/ZSTD/LZ4/none). Files carry their TStreamerInfo records, so ROOT,
// uproot and jsroot read them without built-in knowledge.
//
//   const f = await createRootFile('out.root', { compression: { algorithm: 'zstd', level: 5 } });
//   f.putHist('4j1b_ttbar_nominal', { edges, values /* n+2, with flow */, sumw2, title, xTitle });
//   f.putHist('ch1/signal', h);                         // subdirectory (Combine shapes layout)
//   const t = f.createTree('Events', [
//     { name: 'run', dtype: 'uint32' },
//     { name: 'nJet', dtype: 'uint32' },
//     { name: 'Jet_pt', dtype: 'float32', counter: 'nJet' },
//     { name: 'lep_pt', dtype: 'float32', vector: true },   // std::vector<float> (TBranchElement)
//     { name: 'cov', dtype: 'float64', shape: [3, 3] },      // fixed-size array leaf cov[3][3]
//   ], { title: 'Events', clusterEntries: 100_000 });
//   await t.append(batch);                               // ColumnBatch from src/columns.ts, any number of times
//   await f.close();                                     // closes open trees, writes keys lists and StreamerInfo
//
// Without a schema: `await writeColumnsToRoot('skim.root', 'Events', batches)` infers the branches
// (types from the typed arrays; `X_*` jagged columns sharing offsets get a counter `nX`).
//
// The file is written beside its final name and renamed into place by close() (abort() discards
// it), so an interrupted run never leaves a truncated file under the final name.
// Output is deterministic: the same content gives the same bytes (fixed timestamp unless
// `date` or SOURCE_DATE_EPOCH is given; the UUID derives from the file name).
export { createRootFile, RootFileWriter, type RootFileOptions } from './file.ts';
export { TreeWriter, type BranchSpec, type TreeOptions } from './tree.ts';
export { inferBranches, writeColumnsToRoot } from './infer.ts';
export type { Hist1DInput, Hist2DInput, HistInput } from './hist.ts';
export { type Compression, type CompressionAlgorithm, compressionSetting } from './compress.ts';

// The ROOT reader's public API: open a file (local path or https URL), list keys, read TTree
// branches into typed-array columns (src/columns.ts) by entry range or cluster-aligned chunk.
export { openRootFile, type RootFile, type KeyInfo } from './file.ts';
export type { TreeReader, EntryRange } from './tree-reader.ts';
export type { BranchInfo } from './branch-layout.ts';
export { openSource, type ByteSource, type ByteRange, type SourceOptions } from './source.ts';
export { summarizeColumn, type ColumnSummary } from './summary.ts';

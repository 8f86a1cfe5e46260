// Test helper: read branches of a small ROOT file with jsroot (independent of our reader), as both a
// ColumnBatch and plain per-event JS arrays for the straightforward reference loops in the tests.
import type { ColumnBatch, Column } from '../../src/columns.ts';

export const NANOAOD = new URL('../../../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root', import.meta.url).pathname;

export interface ReadResult {
  batch: ColumnBatch;
  rows: Array<Record<string, number | number[]>>;
}

export async function readWithJsroot(path: string, treeName: string, branches: string[]): Promise<ReadResult> {
  const { openFile } = await import('jsroot');
  const { TSelector, treeProcess } = (await import('jsroot/tree')) as unknown as {
    TSelector: new () => { addBranch(n: string): void; tgtobj: Record<string, unknown>; Process: () => void };
    treeProcess: (t: unknown, s: unknown) => Promise<unknown>;
  };
  const file = await openFile(path);
  const tree = await file.readObject(treeName);
  const sel = new TSelector();
  for (const b of branches) sel.addBranch(b);
  const rows: Array<Record<string, number | number[]>> = [];
  sel.Process = function () {
    const row: Record<string, number | number[]> = {};
    for (const b of branches) {
      const v = sel.tgtobj[b];
      row[b] = typeof v === 'object' && v !== null ? Array.from(v as ArrayLike<number>, Number) : Number(v);
    }
    rows.push(row);
  };
  await treeProcess(tree, sel);
  const columns: Record<string, Column> = {};
  for (const b of branches) {
    if (Array.isArray(rows[0]?.[b])) {
      const offsets = new Int32Array(rows.length + 1);
      rows.forEach((r, i) => { offsets[i + 1] = offsets[i]! + (r[b] as number[]).length; });
      const content = new Float64Array(offsets[rows.length]!);
      rows.forEach((r, i) => content.set(r[b] as number[], offsets[i]));
      columns[b] = { offsets, content };
    } else columns[b] = Float64Array.from(rows, (r) => r[b] as number);
  }
  return { batch: { entries: rows.length, columns }, rows };
}

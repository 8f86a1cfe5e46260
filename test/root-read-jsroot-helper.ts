// Independent values for the reader's tests: jsroot's own TTree reader (TSelector over entries).
import { openFile } from 'jsroot/io';
import { TSelector, treeProcess } from 'jsroot/tree';

export interface Flat {
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number[];
}

function flatten(v: unknown, out: number[]): void {
  // jsroot gives 64-bit integers beyond 2^53 as decimal strings
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'string') out.push(Number(v));
  else if (v && typeof v === 'object' && typeof (v as ArrayLike<unknown>).length === 'number') {
    for (const x of Array.from(v as ArrayLike<unknown>)) flatten(x, out);
  } else throw new Error(`jsroot returned a ${typeof v}`);
}

/** Flattened statistics of each branch as jsroot reads it. */
export async function jsrootStats(path: string, treeName: string, branches: string[]): Promise<Record<string, Flat>> {
  const file = await openFile(path);
  const tree = await file.readObject(treeName);
  const values: Record<string, number[]> = Object.fromEntries(branches.map((b) => [b, []]));
  const sel = new (TSelector as any)();
  const byName = new Map<string, unknown>();
  const walk = (b: any): void => { byName.set(b.fName, b); (b.fBranches?.arr ?? []).forEach(walk); };
  (tree.fBranches.arr as any[]).forEach(walk);
  // branch objects rather than names: jsroot's name lookup misses members of split objects
  branches.forEach((b, i) => sel.addBranch(byName.get(b) ?? b, `v${i}`));
  sel.Process = function (this: any) {
    branches.forEach((b, i) => flatten(this.tgtobj[`v${i}`], values[b]!));
  };
  await treeProcess(tree, sel);
  const out: Record<string, Flat> = {};
  for (const b of branches) {
    const v = values[b]!;
    out[b] = { count: v.length, sum: v.reduce((a, x) => a + x, 0), min: Math.min(...v), max: Math.max(...v), first: v.slice(0, 5) };
  }
  return out;
}

// Writing columns to a TTree without spelling out a schema (skims exported to ROOT): branch types
// come from the typed arrays; jagged columns named `X_var` become NanoAOD-style leaves counted by
// `nX` when all `X_*` columns share their offsets, std::vector<T> branches otherwise.
import { isJagged, type ColumnBatch, type DType, type NumericArray } from '../../columns.ts';
import { createRootFile, type RootFileOptions } from './file.ts';
import type { BranchSpec, TreeOptions } from './tree.ts';

function dtypeOf(a: NumericArray, name: string, bools: ReadonlySet<string>): DType {
  if (a instanceof Uint8Array) return bools.has(name) ? 'bool' : 'uint8';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

function sameCounts(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i]! - a[i - 1]! !== b[i]! - b[i - 1]!) return false;
  return true;
}

/** Branches for the columns of `batch`, in column order (counters first in their collection). */
export function inferBranches(batch: ColumnBatch, opts: { bools?: Iterable<string> } = {}): BranchSpec[] {
  const bools = new Set(opts.bools ?? []);
  const cols = Object.entries(batch.columns);
  // Collections: prefix -> the offsets of its jagged columns, if they all agree.
  const groups = new Map<string, { offsets: Int32Array; consistent: boolean }>();
  for (const [name, col] of cols) {
    if (!isJagged(col)) continue;
    const u = name.indexOf('_');
    if (u <= 0) continue;
    const prefix = name.slice(0, u);
    const g = groups.get(prefix);
    if (!g) groups.set(prefix, { offsets: col.offsets, consistent: true });
    else if (!sameCounts(g.offsets, col.offsets)) g.consistent = false;
  }
  const out: BranchSpec[] = [];
  const counters = new Set<string>();
  for (const [name, col] of cols) {
    if (!isJagged(col)) {
      if (!counters.has(name)) out.push({ name, dtype: dtypeOf(col, name, bools) });
      continue;
    }
    const dtype = dtypeOf(col.content, name, bools);
    const prefix = name.slice(0, Math.max(0, name.indexOf('_')));
    const g = prefix ? groups.get(prefix) : undefined;
    const counter = `n${prefix}`;
    const given = batch.columns[counter];
    const counterUsable = given === undefined || (!isJagged(given) && (given instanceof Int32Array || given instanceof Uint32Array));
    if (g?.consistent && counterUsable) {
      if (!counters.has(counter)) {
        counters.add(counter);
        out.push({ name: counter, dtype: given instanceof Int32Array ? 'int32' : 'uint32' });
      }
      out.push({ name, dtype, counter });
    } else {
      out.push({ name, dtype, vector: true });
    }
  }
  // A counter column listed before its collection's first member was skipped above; one listed
  // after it was pushed as a plain branch: drop that duplicate.
  const seen = new Set<string>();
  return out.filter((b) => (seen.has(b.name) ? false : (seen.add(b.name), true)));
}

/** Writes batches to a new file as one tree, the schema inferred from the first batch. Returns the
 *  number of entries written. */
export async function writeColumnsToRoot(
  filePath: string, treeName: string, batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  opts: RootFileOptions & TreeOptions & { bools?: Iterable<string> } = {},
): Promise<number> {
  const f = await createRootFile(filePath, opts);
  let entries = 0;
  try {
    let tree: ReturnType<typeof f.createTree> | undefined;
    for await (const batch of batches) {
      tree ??= f.createTree(treeName, inferBranches(batch, opts), opts);
      await tree.append(batch);
      entries += batch.entries;
    }
    if (!tree) throw new Error(`${filePath}: no batches to write to tree '${treeName}'`);
  } catch (err) {
    f.abort();
    throw err;
  }
  await f.close();
  return entries;
}

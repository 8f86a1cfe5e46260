// `index.mdb-walked`: the identity (inode, size, mtime to the nanosecond) of index.mdb as a store
// left it at close. Walking every b-tree at open (store.ts walkIndex) finds a damaged index before
// it is used, but costs ~0.1 ms per key, every run: a file still exactly as a closing store left it
// has been written only by LMDB since, so the walk is skipped. A copy (another inode), an edit, a
// truncation or any write by another process that did not close cleanly changes the identity, and
// the next open walks again.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

const STAMP = 'index.mdb-walked';

function identity(indexPath: string): string | undefined {
  try {
    const st = statSync(indexPath, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** Whether index.mdb is still the file a store stamped at close (then its walk can be skipped). */
export function indexUnchangedSinceClose(indexPath: string): boolean {
  const id = identity(indexPath);
  if (id === undefined) return false;
  try {
    return readFileSync(`${indexPath.slice(0, -'index.mdb'.length)}${STAMP}`, 'utf8') === id;
  } catch {
    return false;
  }
}

/** Records index.mdb's identity after a clean close (best effort: a read-only cache keeps walking). */
export function stampIndexAtClose(indexPath: string): void {
  const id = identity(indexPath);
  if (id === undefined) return;
  const stamp = `${indexPath.slice(0, -'index.mdb'.length)}${STAMP}`;
  const tmp = `${stamp}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, id);
    renameSync(tmp, stamp);
  } catch {
    // not writable: the next open walks the index, as it would without the stamp
  }
}

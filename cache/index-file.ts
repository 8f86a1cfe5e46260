// Sanity check of an LMDB data file (index.mdb) before lmdb maps it. LMDB maps the whole file and
// trusts its meta pages: a file shorter than the last page a meta page records (a truncation, a
// copy cut short, a flipped bit in `mm_last_pg`) makes the first touch of a missing page a SIGBUS,
// which kills the process with no message. Reading the meta pages with plain reads first turns
// that into an error we can handle.
//
// Layout (liblmdb mdb.c, as built by lmdb-js 3): page 0 and page 1 are meta pages; with
// overlappingSync (lmdb-js's default on Linux) a third copy sits at half a page. A page starts with
// a 24-byte header (pgno u64, txnid u64, pad u16, flags u16, lower/upper u16 u16); the meta follows:
//   +24 mm_magic u32 (0xBEEFC0DE)   +28 mm_version u32 (low 16 bits: 2)   +32 mm_address
//   +40 mm_mapsize u64   +48 mm_dbs[0] (free db; its md_pad u32 is the page size)
//   +96 mm_dbs[1] (main db)   +144 mm_last_pg u64   +152 mm_txnid u64
// LMDB reads the latest meta (highest txnid); every meta it could pick must fit in the file.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const PAGE_HEADER = 24;
const P_META = 0x08;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const META_BYTES = PAGE_HEADER + 168;

/** Re-checks of a file that looks damaged, and the pause before each (ms): another process may be
 *  committing to it while we read (it writes the new meta page before the file has grown to the
 *  pages it records), which must never read as damage; a real truncation stays as it is. */
const RECHECK_MS = [10, 30, 60, 120];

/** Why `path` is not a usable LMDB data file, or undefined if its meta pages fit the file (or it
 *  does not exist / is empty: LMDB creates it). A verdict of damage holds only if it persists over
 *  the re-checks. */
export function indexFileProblem(path: string): string | undefined {
  let problem = checkOnce(path);
  for (const ms of RECHECK_MS) {
    if (problem === undefined) return undefined;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    problem = checkOnce(path);
  }
  return problem;
}

function checkOnce(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const first = readAt(fd, 0);
    // the size after the meta reads: a commit between them only grows the file
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    if (!first) return `it is ${size} bytes, shorter than one meta page`;
    if ((first.getUint16(18, true) & P_META) === 0 || first.getUint32(24, true) !== MAGIC) return 'page 0 is not an LMDB meta page';
    if ((first.getUint32(28, true) & 0xffff) !== DATA_VERSION) return `unknown LMDB data version ${first.getUint32(28, true) & 0xffff}`;
    const psize = first.getUint32(48, true);
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) return `implausible page size ${psize}`;
    const metas = [first, readAt(fd, psize / 2), readAt(fd, psize)];
    const grown = fstatSync(fd).size; // after every meta read, as above
    for (const m of metas) {
      if (!m || m.getBigUint64(152, true) === 0n) continue; // never written
      const lastPage = m.getBigUint64(144, true);
      const needed = (lastPage + 1n) * BigInt(psize);
      if (needed > BigInt(grown)) return `its meta pages record ${lastPage + 1n} pages of ${psize} bytes (${needed} bytes) but the file has ${grown}`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, offset: number): DataView | undefined {
  const buf = Buffer.alloc(META_BYTES);
  const n = readSync(fd, buf, 0, META_BYTES, offset);
  return n === META_BYTES ? new DataView(buf.buffer, buf.byteOffset, META_BYTES) : undefined;
}

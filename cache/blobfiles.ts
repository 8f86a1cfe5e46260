// Content-addressed blob files: blobs/ab/cdef... named by the sha256 hex of their bytes, written
// through a unique temp file in the same filesystem (fsync, rename), so a reader or a crash never
// sees a partial blob under its final name.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

const HOST = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');

export function blobPath(blobsDir: string, hash: string): string {
  return join(blobsDir, hash.slice(0, 2), hash.slice(2));
}

/** Temp names carry host and pid so stale ones (their writer is dead) can be told from live ones. */
export function tempName(tmpDir: string, tag = 'blob'): string {
  return join(tmpDir, `${tag}.${HOST}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Size of the file at `path`, or -1 if it does not exist. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return -1;
    throw err;
  }
}

/** Writes `bytes` to `dest` atomically. Returns the directory that must be fsync'd for the rename
 *  to be durable (the caller batches those), or undefined if `dest` already held `size` bytes. */
export function writeBlobFile(dest: string, bytes: Uint8Array, tmpDir: string, durable: boolean): string | undefined {
  if (fileSize(dest) === bytes.byteLength) return undefined; // same name = same content
  const tmp = tempName(tmpDir);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  const dir = join(dest, '..');
  try {
    renameSync(tmp, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      rmSync(tmp, { force: true });
      throw err;
    }
    // the shard directory is new, or a concurrent `clear` just moved blobs/ away
    mkdirSync(dir, { recursive: true });
    renameSync(tmp, dest);
  }
  return dir;
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every blob file as [hash, path]. */
export function* listBlobFiles(blobsDir: string): Generator<[string, string]> {
  let shards: string[];
  try {
    shards = readdirSync(blobsDir);
  } catch {
    return;
  }
  for (const shard of shards) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    let names: string[];
    try {
      names = readdirSync(join(blobsDir, shard));
    } catch {
      continue;
    }
    for (const name of names) if (/^[0-9a-f]{62}$/.test(name)) yield [shard + name, join(blobsDir, shard, name)];
  }
}

/** Removes temp files and trash directories left by dead writers (same host, pid gone) or older
 *  than `maxAgeMs` (another host's writer, or a pid reused since). Live writers' files are kept. */
export function cleanTemp(tmpDir: string, maxAgeMs: number, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(tmpDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^[a-z]+\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    const path = join(tmpDir, name);
    let stale: boolean;
    if (m && m[1] === HOST && Number(m[2]) !== process.pid && !pidAlive(Number(m[2]))) stale = true;
    else {
      try {
        stale = now - statSync(path).mtimeMs > maxAgeMs;
      } catch {
        continue;
      }
    }
    if (!stale) continue;
    try {
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // another process cleaned it first
    }
  }
  return removed;
}

/** Removes `.NAME.PID.MS.part` files (the ROOT writer's temp files, e.g. samples of `generate` in
 *  <cache>/generated/) whose writer is dead or that are older than `maxAgeMs`. */
export function cleanPartFiles(dir: string, maxAgeMs: number, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^\..+\.(\d+)\.(\d+)\.part$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || (pidAlive(pid) && now - Number(m[2]) <= maxAgeMs)) continue; // in progress
    if (unlinkQuiet(join(dir, name))) removed++;
  }
  return removed;
}

/** Finished files in `dir` (not the writers' `.part` temp files) and their bytes; none if absent. */
export function generatedFiles(dir: string): { files: number; bytes: number } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0, bytes = 0;
  for (const name of names) {
    if (name.endsWith('.part')) continue;
    const size = fileSize(join(dir, name));
    if (size < 0) continue;
    files++;
    bytes += size;
  }
  return { files, bytes };
}

/** Whether a process of this machine still runs (EPERM: it does, owned by another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function unlinkQuiet(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

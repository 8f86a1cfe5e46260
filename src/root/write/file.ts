// The TFile container: header, top directory, subdirectories, object keys, keys lists, the
// StreamerInfo record and the free-segments record. Records are appended at the end of the file
// as they are produced (baskets stream out during filling); the header, the directory records
// and their keys lists are written or patched at close.
//
// Layout: [header 0..100) [top directory key @100] [records ...] [keys lists] [StreamerInfo] [free segments]
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { WBuffer } from './buffer.ts';
import { compressRoot, compressionSetting, defaultCompression, type Compression } from './compress.ts';
import { encodeDatime, keyHeaderBytes, keyHeaderLength, tstringLength, type KeyFields } from './keys.ts';
import { streamerInfoList } from './streamers.ts';
import { histClassName, histPayload, type HistInput } from './hist.ts';
import { TreeWriter, type BranchSpec, type TreeOptions } from './tree.ts';

const kBEGIN = 100;
/** ROOT 6.22/06 in the "large file" header variant (64-bit seeks everywhere). */
const kFileVersionBig = 1_062_206;
const kDirectoryVersionBig = 1005;
/** TDirectory record: version, two datimes, fNbytesKeys, fNbytesName, three 64-bit seeks, UUID;
 *  plus 12 bytes of padding as ROOT reserves. */
const DIR_RECORD = 2 + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 18 + 12;

export interface RootFileOptions {
  /** Default: ZLIB level 1 (ROOT's classic 101). */
  compression?: Compression;
  /** Title of the file's top directory. */
  title?: string;
  /** Timestamp stamped into keys and directories. Default: SOURCE_DATE_EPOCH if set, else a fixed
   *  date, so the same content always gives the same bytes (content-addressed caching). */
  date?: Date;
  /** Write to a temporary file beside `path` and rename it into place at close, so a crash or an
   *  abort() never leaves a truncated file under the final name. Default true. */
  atomic?: boolean;
}

interface Directory {
  name: string;
  title: string;
  /** Position of this directory's key (kBEGIN for the top directory). */
  seekDir: number;
  seekParent: number;
  keylen: number;
  nbytesName: number;
  keys: Uint8Array[];
  names: Map<string, number>;
  subdirs: Map<string, Directory>;
  keysClassName: string;
}

export class RootFileWriter {
  readonly path: string;
  readonly compression: Compression;
  private fd: number;
  private end = kBEGIN;
  private readonly datime: number;
  private readonly uuid: Uint8Array;
  private readonly top: Directory;
  private readonly classes = new Set<string>();
  private readonly openTrees = new Set<TreeWriter>();
  private closed = false;
  /** Where bytes go until close: `path` itself, or a temporary sibling when atomic. */
  private readonly writePath: string;

  constructor(filePath: string, opts: RootFileOptions = {}) {
    this.path = filePath;
    this.compression = opts.compression ?? defaultCompression;
    compressionSetting(this.compression); // validates the level early
    const epoch = process.env.SOURCE_DATE_EPOCH;
    const date = opts.date ?? (epoch ? new Date(Number(epoch) * 1000) : new Date(Date.UTC(2024, 0, 1)));
    this.datime = encodeDatime(date);
    this.uuid = createHash('sha256').update(path.basename(filePath)).digest().subarray(0, 16);
    this.writePath = opts.atomic === false ? filePath : path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${Date.now()}.part`);
    try {
      this.fd = fs.openSync(this.writePath, 'w');
    } catch (err) {
      throw new Error(`cannot create ROOT file ${filePath}: ${(err as Error).message}`, { cause: err });
    }
    const name = path.basename(filePath);
    const title = opts.title ?? '';
    const keylen = keyHeaderLength('TFile', name, title);
    const nbytesName = keylen + tstringLength(name) + tstringLength(title);
    this.top = {
      name, title, seekDir: kBEGIN, seekParent: 0, keylen, nbytesName, keys: [], names: new Map(), subdirs: new Map(), keysClassName: 'TFile',
    };
    this.end = kBEGIN + nbytesName + DIR_RECORD;
  }

  /** Appends raw bytes at the end of the file; returns their position. */
  appendRecord(bytes: Uint8Array): number {
    const at = this.end;
    writeAll(this.fd, bytes, at);
    this.end += bytes.length;
    return at;
  }

  get datimeCode(): number { return this.datime; }
  get position(): number { return this.end; }

  /** Records that a key of this class was written, for the StreamerInfo list. */
  private useClass(name: string): void { this.classes.add(name); }

  /** The directory for a '/'-separated path, creating subdirectories as needed. */
  private directory(dirPath: string): Directory {
    let dir = this.top;
    for (const part of dirPath.split('/').filter((p) => p !== '')) {
      let sub = dir.subdirs.get(part);
      if (!sub) sub = this.createSubdir(dir, part);
      dir = sub;
    }
    return dir;
  }

  private createSubdir(parent: Directory, name: string): Directory {
    if (parent.names.has(name)) throw new Error(`${this.path}: '${name}' already exists as an object, cannot create a directory`);
    const keylen = keyHeaderLength('TDirectory', name, name);
    const seekDir = this.end;
    const dir: Directory = {
      name, title: name, seekDir, seekParent: parent.seekDir, keylen, nbytesName: keylen, keys: [], names: new Map(), subdirs: new Map(), keysClassName: 'TDirectory',
    };
    const key: KeyFields = {
      nbytes: keylen + DIR_RECORD, objlen: DIR_RECORD, datime: this.datime, keylen, cycle: 1,
      seekKey: seekDir, seekPdir: parent.seekDir, className: 'TDirectory', name, title: name,
    };
    const header = keyHeaderBytes(key);
    this.appendRecord(header);
    this.appendRecord(new Uint8Array(DIR_RECORD)); // patched at close
    parent.keys.push(header);
    parent.names.set(name, 1);
    parent.subdirs.set(name, dir);
    return dir;
  }

  /** Writes one object as a key in `dir`; `payload(keylen)` serialises it (tags count from the key start). */
  private writeObject(dir: Directory, className: string, name: string, title: string, payload: (keylen: number) => Uint8Array): number {
    this.assertOpen();
    if (dir.subdirs.has(name)) throw new Error(`${this.path}: '${name}' is a directory, cannot write a ${className} there`);
    const keylen = keyHeaderLength(className, name, title);
    const raw = payload(keylen);
    const data = compressRoot(raw, this.compression);
    const cycle = (dir.names.get(name) ?? 0) + 1;
    dir.names.set(name, cycle);
    const key: KeyFields = {
      nbytes: keylen + data.length, objlen: raw.length, datime: this.datime, keylen, cycle,
      seekKey: this.end, seekPdir: dir.seekDir, className, name, title,
    };
    const header = keyHeaderBytes(key);
    const at = this.appendRecord(header);
    this.appendRecord(data);
    dir.keys.push(header);
    this.useClass(className);
    return at;
  }

  /** Writes a histogram at 'dir/sub/name' (directories created as needed). */
  putHist(objPath: string, h: HistInput): void {
    const { dir, name } = this.split(objPath);
    const cls = histClassName(h);
    this.writeObject(this.directory(dir), cls, name, h.title ?? '', (keylen) => histPayload(name, h, keylen));
  }

  /** Starts a TTree at 'dir/name'; baskets stream to the file as entries are appended, the tree
   *  metadata is written by tree.close() or by this file's close(). */
  createTree(objPath: string, branches: BranchSpec[], opts: TreeOptions = {}): TreeWriter {
    this.assertOpen();
    const { dir, name } = this.split(objPath);
    const d = this.directory(dir);
    const tree = new TreeWriter(this, d.seekDir, name, branches, opts, (t, title, payload, classes) => {
      this.openTrees.delete(t);
      this.writeObject(d, 'TTree', name, title, payload);
      for (const c of classes) this.useClass(c);
    });
    this.openTrees.add(tree);
    return tree;
  }

  mkdir(dirPath: string): void { this.directory(dirPath); }

  private split(objPath: string): { dir: string; name: string } {
    const parts = objPath.split('/').filter((p) => p !== '');
    const name = parts.pop();
    if (!name) throw new Error(`${this.path}: empty object path '${objPath}'`);
    return { dir: parts.join('/'), name };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.path}: file already closed`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      for (const t of [...this.openTrees]) await t.close();
      this.closed = true;
      this.finish();
    } catch (err) {
      this.abort();
      throw err;
    }
    fs.closeSync(this.fd);
    if (this.writePath !== this.path) fs.renameSync(this.writePath, this.path);
  }

  /** Gives up the file: closes it and removes what was written (with atomic writes, the file at
   *  `path`, if any, is left as it was). */
  abort(): void {
    if (this.closed && this.fd < 0) return;
    this.closed = true;
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
    this.fd = -1;
    fs.rmSync(this.writePath, { force: true });
  }

  private finish(): void {
    // Keys lists and directory records, children first (order does not matter to readers).
    const dirs: Directory[] = [];
    const walk = (d: Directory): void => { for (const s of d.subdirs.values()) walk(s); dirs.push(d); };
    walk(this.top);
    const seekKeys = new Map<Directory, { seek: number; nbytes: number }>();
    for (const d of dirs) {
      const keylen = keyHeaderLength(d.keysClassName, d.name, d.title);
      const body = new WBuffer(0, 64 + d.keys.reduce((n, k) => n + k.length, 0));
      body.i32(d.keys.length);
      for (const k of d.keys) body.raw(k);
      const nbytes = keylen + body.length;
      const seek = this.end;
      this.appendRecord(keyHeaderBytes({
        nbytes, objlen: body.length, datime: this.datime, keylen, cycle: 1, seekKey: seek, seekPdir: d.seekDir,
        className: d.keysClassName, name: d.name, title: d.title,
      }));
      this.appendRecord(body.finish());
      seekKeys.set(d, { seek, nbytes });
    }
    // StreamerInfo (compressed TList of TStreamerInfo).
    const siKeylen = keyHeaderLength('TList', 'StreamerInfo', 'Doubly linked list');
    const siRaw = streamerInfoList(this.classes, siKeylen);
    const siData = compressRoot(siRaw, this.compression);
    const seekInfo = this.end;
    const nbytesInfo = siKeylen + siData.length;
    this.appendRecord(keyHeaderBytes({
      nbytes: nbytesInfo, objlen: siRaw.length, datime: this.datime, keylen: siKeylen, cycle: 1, seekKey: seekInfo,
      seekPdir: kBEGIN, className: 'TList', name: 'StreamerInfo', title: 'Doubly linked list',
    }));
    this.appendRecord(siData);
    // Free segments: one TFree from the end of this record to "infinity".
    const freeKeylen = keyHeaderLength('TFile', this.top.name, this.top.title);
    const freeBody = 2 + 8 + 8;
    const seekFree = this.end;
    const nbytesFree = freeKeylen + freeBody;
    const fileEnd = seekFree + nbytesFree;
    const free = new WBuffer(0, nbytesFree);
    free.raw(keyHeaderBytes({
      nbytes: nbytesFree, objlen: freeBody, datime: this.datime, keylen: freeKeylen, cycle: 1, seekKey: seekFree,
      seekPdir: kBEGIN, className: 'TFile', name: this.top.name, title: this.top.title,
    }));
    free.i16(1001).i64(fileEnd).i64(Math.max(2_000_000_000, fileEnd * 2));
    this.appendRecord(free.finish());
    // Directory records.
    for (const d of dirs) {
      const rec = this.directoryRecord(d, seekKeys.get(d)!);
      if (d === this.top) continue;
      writeAll(this.fd, rec, d.seekDir + d.keylen);
    }
    // Top directory: key, name/title, record.
    const top = new WBuffer(0, this.top.nbytesName + DIR_RECORD);
    top.raw(keyHeaderBytes({
      nbytes: this.top.nbytesName + DIR_RECORD, objlen: this.top.nbytesName - this.top.keylen + DIR_RECORD, datime: this.datime,
      keylen: this.top.keylen, cycle: 1, seekKey: kBEGIN, seekPdir: 0, className: 'TFile', name: this.top.name, title: this.top.title,
    }));
    top.tstring(this.top.name).tstring(this.top.title);
    top.raw(this.directoryRecord(this.top, seekKeys.get(this.top)!));
    writeAll(this.fd, top.finish(), kBEGIN);
    // File header.
    const h = new WBuffer(0, kBEGIN);
    h.raw(Buffer.from('root')).i32(kFileVersionBig).i32(kBEGIN).i64(fileEnd).i64(seekFree).i32(nbytesFree).i32(1)
      .i32(this.top.nbytesName).u8(8).i32(compressionSetting(this.compression)).i64(seekInfo).i32(nbytesInfo)
      .i16(1).raw(this.uuid);
    const header = new Uint8Array(kBEGIN);
    header.set(h.written());
    writeAll(this.fd, header, 0);
  }

  private directoryRecord(d: Directory, keys: { seek: number; nbytes: number }): Uint8Array {
    const b = new WBuffer(0, DIR_RECORD);
    b.i16(kDirectoryVersionBig).u32(this.datime).u32(this.datime).i32(keys.nbytes).i32(d.nbytesName)
      .i64(d.seekDir).i64(d.seekParent).i64(keys.seek).i16(1).raw(this.uuid);
    const out = new Uint8Array(DIR_RECORD);
    out.set(b.written());
    return out;
  }
}


function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Creates (truncates) a ROOT file for writing. Call close() to make it readable. */
export async function createRootFile(filePath: string, opts: RootFileOptions = {}): Promise<RootFileWriter> {
  return new RootFileWriter(filePath, opts);
}

// Opening a ROOT file: jsroot parses the header, keys, directories and streamers through our
// byte source; trees are handed to our TTreeReader.
import { openFile } from 'jsroot/io';
import { UserError } from '../../errors.ts';
import { openSource, type ByteSource, type SourceOptions } from './source.ts';
import { makeJsrootProxy } from './jsroot-proxy.ts';
import { TTreeReader, type TreeReader } from './tree-reader.ts';
import { suggest } from '../../suggest.ts';
import { RNTupleReader } from './rntuple-reader.ts';

export interface KeyInfo {
  name: string;
  className: string;
  cycle: number;
  /** 'dir/sub/name': what tree() and object() accept. */
  path: string;
}

export interface RootFile {
  readonly source: string;
  /** Every key, subdirectories included (highest cycle first as ROOT lists them). */
  keys(): KeyInfo[];
  tree(name: string): Promise<TreeReader>;
  /** The jsroot object stored under `name` (e.g. a TH1). */
  object(name: string): Promise<any>;
  close(): Promise<void>;
}

const treeClasses = new Set(['TTree', 'TNtuple', 'TNtupleD']);
const dirClasses = new Set(['TDirectory', 'TDirectoryFile']);
const rntupleClasses = new Set(['ROOT::RNTuple', 'ROOT::Experimental::RNTuple']);

export async function openRootFile(location: string, opts: SourceOptions = {}): Promise<RootFile> {
  const source = await openSource(location, opts);
  try {
    const size = await source.size();
    const [magic] = await source.read([{ offset: 0, length: Math.min(4, size) }]);
    if (size < 100 || String.fromCharCode(...magic!) !== 'root') {
      throw new UserError(`${location}: not a ROOT file (no 'root' signature at the start)`);
    }
    let file: any;
    try {
      file = await quietly(() => openFile(makeJsrootProxy(source, size)));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${location}: cannot read the file's keys (truncated or corrupt?): ${(err as Error).message}`, { cause: err });
    }
    if (!file) throw new UserError(`${location}: cannot read the file's keys (truncated or corrupt?)`);
    const keys = await listKeys(file, '', location);
    return new JsrootRootFile(location, source, file, keys);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Runs a jsroot call with its console diagnostics (printed for corrupt input, e.g. "Did not
 *  found class with tag ...") held back: our UserError says what went wrong in one line. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  // nested and concurrent calls share one filter: the console is saved on the first, restored
  // when the last one ends
  if (quietDepth++ === 0) {
    const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
    savedConsole = saved;
    // only jsroot's own messages are dropped (decided by the caller's stack, only when something
    // logs): other code logging meanwhile still gets through
    for (const m of ['log', 'warn', 'error', 'info'] as const) {
      console[m] = (...args: unknown[]) => {
        if (!/[\\/]jsroot[\\/]modules[\\/]/.test(new Error().stack ?? '')) saved[m].apply(console, args);
      };
    }
  }
  try {
    return await fn();
  } finally {
    if (--quietDepth === 0 && savedConsole) Object.assign(console, savedConsole);
  }
}
let quietDepth = 0;
let savedConsole: Pick<Console, 'log' | 'warn' | 'error' | 'info'> | undefined;

async function listKeys(dir: any, prefix: string, location: string): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const k of dir.fKeys ?? []) {
    const path = prefix + k.fName;
    out.push({ name: k.fName, className: k.fClassName, cycle: k.fCycle, path });
    if (dirClasses.has(k.fClassName)) {
      let sub: any;
      try {
        sub = await (prefix ? dir.fFile ?? dir : dir).readDirectory(path, k.fCycle);
      } catch (err) {
        throw new UserError(`${location}: cannot read directory '${path}': ${(err as Error).message}`, { cause: err });
      }
      out.push(...(await listKeys(sub, path + '/', location)));
    }
  }
  return out;
}

class JsrootRootFile implements RootFile {
  readonly source: string;
  private readonly bytes: ByteSource;
  private readonly file: any;
  private readonly keyList: KeyInfo[];

  constructor(location: string, bytes: ByteSource, file: any, keys: KeyInfo[]) {
    this.source = location;
    this.bytes = bytes;
    this.file = file;
    this.keyList = keys;
  }

  keys(): KeyInfo[] {
    return this.keyList;
  }

  private findKey(name: string): KeyInfo | undefined {
    const [path, cycle] = name.split(';');
    const matches = this.keyList.filter((k) => k.path === path && (cycle === undefined || k.cycle === Number(cycle)));
    return matches.sort((a, b) => b.cycle - a.cycle)[0];
  }

  private missing(what: string, name: string, candidates: KeyInfo[]): UserError {
    const close = suggest(name, candidates.map((k) => k.path));
    const list = candidates.length ? ` (${what}s here: ${[...new Set(candidates.map((k) => k.path))].slice(0, 10).join(', ')})` : '';
    return new UserError(`${this.source}: no ${what} '${name}'${close.length ? `; did you mean '${close[0]}'?` : list}`);
  }

  async tree(name: string): Promise<TreeReader> {
    const key = this.findKey(name);
    if (!key) throw this.missing('tree', name, this.keyList.filter((k) => treeClasses.has(k.className) || rntupleClasses.has(k.className)));
    if (rntupleClasses.has(key.className)) return this.rntuple(key);
    if (!treeClasses.has(key.className)) throw new UserError(`${this.source}: '${name}' is a ${key.className}, not a TTree`);
    const tree = await this.object(`${key.path};${key.cycle}`);
    try {
      return new TTreeReader(this.source, this.bytes, key.path, tree, (cls, member) => this.member(cls, member));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${this.source}: the metadata of tree '${key.path}' is corrupt: ${(err as Error).message}`, { cause: err });
    }
  }

  private async rntuple(key: KeyInfo): Promise<TreeReader> {
    const anchor = await this.object(`${key.path};${key.cycle}`);
    const { readHeaderFooter } = await import('jsroot/rntuple');
    try {
      await readHeaderFooter(anchor);
    } catch (err) {
      throw new UserError(`${this.source}: cannot read the header and footer of RNTuple '${key.path}': ${(err as Error).message}`, { cause: err });
    }
    if (!anchor.builder?.fieldDescriptors) throw new UserError(`${this.source}: cannot read the header and footer of RNTuple '${key.path}'`);
    return new RNTupleReader(this.source, this.bytes, key.path, anchor.builder);
  }

  private member(className: string, member: string): { typeName: string; title: string } | undefined {
    const info = this.file.findStreamerInfo?.(className);
    const el = info?.fElements?.arr?.find((e: any) => e.fName === member);
    return el ? { typeName: el.fTypeName ?? '', title: el.fTitle ?? '' } : undefined;
  }


  async object(name: string): Promise<any> {
    const key = this.findKey(name);
    if (!key) throw this.missing('object', name, this.keyList);
    try {
      return await quietly(() => this.file.readObject(`${key.path};${key.cycle}`));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${this.source}: cannot read '${name}' (${key.className}): ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.bytes.close();
  }
}

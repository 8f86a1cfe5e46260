// `flow cache stats|ls|gc|clear|verify [--cache-dir DIR]`: inspect and manage the content-addressed cache.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';
import { parseArgsError } from './parse-args.ts';
import { openStore, StoreOpenError } from '../../cache/store.ts';
import { resolveCacheDir } from '../../cache/location.ts';
import { formatAge, formatBytes, parseDuration, parseSize } from '../../cache/units.ts';
import type { CacheEntry, Store } from '../../cache/types.ts';

const HELP = `usage: flow cache <command> [--cache-dir DIR]

commands:
  stats                      entries, blobs, bytes, oldest and newest entry   [--json]
  ls                         one line per entry: age, last use, size, graph/node (kind) chunk, key
                             [--node NAME] [--graph NAME] [--json (one JSON object per line)]
  gc                         remove least recently used entries until the cache fits, and entries
                             not used for a while; then blobs no entry refers to
                             [--max-size SIZE (e.g. 2GB, 500MB)] [--older-than AGE (e.g. 7d, 12h)] [--json]
                             (without options: only incomplete entries, orphan blobs, stale temp files)
  clear                      remove every entry and blob
  verify                     re-hash every blob and check the digest of every entry and memo record;
                             drop corrupt or missing ones and their entries
                             (exit code 1 if any were found)   [--json]

options:
  --cache-dir DIR            cache directory (default: $FLOW_CACHE_DIR, else .flow-cache/ in the current directory)
  -h, --help                 this help

Sizes use powers of 1024 (1KB = 1024 bytes). Ages: ms, s, m, h, d, w; combinations like 1d12h.`;

const OPTIONS = {
  'cache-dir': { type: 'string' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  graph: { type: 'string' },
  'max-size': { type: 'string' },
  'older-than': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, string[]> = {
  stats: ['cache-dir', 'json'],
  ls: ['cache-dir', 'json', 'node', 'graph'],
  gc: ['cache-dir', 'json', 'max-size', 'older-than'],
  clear: ['cache-dir'],
  verify: ['cache-dir', 'json'],
};

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw parseArgsError('cache', err);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [cmd, ...extra] = positionals;
  if (!cmd) {
    console.error(HELP);
    return 2;
  }
  const allowed = ALLOWED[cmd];
  if (!allowed) throw new UserError(`cache: unknown command '${cmd}' (commands: ${Object.keys(ALLOWED).join(', ')})`);
  if (extra.length) throw new UserError(`cache ${cmd}: unexpected argument '${extra[0]}'`);
  for (const name of Object.keys(values)) {
    if (name !== 'help' && !allowed.includes(name)) throw new UserError(`cache ${cmd}: option --${name} does not apply (options: ${allowed.map((a) => `--${a}`).join(', ')})`);
  }
  const dir = resolveCacheDir(values['cache-dir']);
  const gcOpts = cmd === 'gc' ? parseGcOptions(values['max-size'], values['older-than']) : undefined;

  if (!existsSync(join(dir, 'index.mdb'))) {
    // reading commands must not create a cache as a side effect
    if (values.json && cmd === 'stats') console.log(JSON.stringify({ dir, entries: 0, blobs: 0, bytes: 0 }));
    else if (values.json && cmd === 'gc') console.log(JSON.stringify({ removedEntries: 0, removedBytes: 0 }));
    else if (values.json && cmd === 'verify') console.log(JSON.stringify({ entries: 0, blobs: 0, bytes: 0, corrupt: [], missing: [], droppedEntries: 0 }));
    else if (!values.json) console.log(`no cache at ${dir}`);
    return 0;
  }
  let store: Store;
  try {
    store = await openStore(dir);
  } catch (err) {
    if (err instanceof StoreOpenError) throw new UserError(`cache ${cmd}: ${err.message}`, { cause: err, exitCode: 1 });
    throw err;
  }
  try {
    switch (cmd) {
      case 'stats':
        printStats(store, values.json === true);
        break;
      case 'ls':
        printList(store, { json: values.json === true, node: values.node, graph: values.graph });
        break;
      case 'gc': {
        const before = store.stats();
        const res = await store.gc(gcOpts!);
        if (values.json) console.log(JSON.stringify(res));
        else {
          const after = store.stats();
          console.log(`removed ${res.removedEntries} entries, freed ${formatBytes(res.removedBytes)}; ${after.entries} entries, ${formatBytes(after.bytes)} left (was ${before.entries}, ${formatBytes(before.bytes)})`);
        }
        break;
      }
      case 'verify': {
        const r = await store.verify!();
        if (values.json) console.log(JSON.stringify(r));
        else {
          for (const p of r.corrupt) console.log(`corrupt: ${p}`);
          for (const p of r.missing) console.log(`missing: ${p}`);
          console.log(`verified ${r.blobs} blobs (${formatBytes(r.bytes)}) of ${r.entries} entries; ${r.corrupt.length} corrupt, ${r.missing.length} missing, ${r.droppedEntries ?? 0} entries dropped`);
        }
        return r.corrupt.length + r.missing.length > 0 ? 1 : 0;
      }
      case 'clear': {
        const before = store.stats();
        await store.clear();
        console.log(`cleared ${dir}: ${before.entries} entries, ${formatBytes(before.bytes)}`);
        break;
      }
    }
  } finally {
    await store.close();
  }
  return 0;
}

function parseGcOptions(maxSize: string | undefined, olderThan: string | undefined): { maxSizeBytes?: number; olderThanMs?: number } {
  const opts: { maxSizeBytes?: number; olderThanMs?: number } = {};
  try {
    if (maxSize !== undefined) opts.maxSizeBytes = parseSize(maxSize);
  } catch (err) {
    throw new UserError(`cache gc --max-size: ${(err as Error).message}`);
  }
  try {
    if (olderThan !== undefined) opts.olderThanMs = parseDuration(olderThan);
  } catch (err) {
    throw new UserError(`cache gc --older-than: ${(err as Error).message}`);
  }
  return opts;
}

function printStats(store: Store, json: boolean): void {
  const s = store.stats();
  if (json) {
    console.log(JSON.stringify(s));
    return;
  }
  const now = Date.now();
  console.log(`cache   ${s.dir}`);
  console.log(`entries ${s.entries}`);
  console.log(`blobs   ${s.blobs}`);
  console.log(`bytes   ${formatBytes(s.bytes)} (${s.bytes})`);
  if (s.indexBytes !== undefined) console.log(`index   ${formatBytes(s.indexBytes)} on disk`);
  if (s.oldest !== undefined) console.log(`oldest  ${new Date(s.oldest).toISOString()} (${formatAge(now - s.oldest)} ago)`);
  if (s.newest !== undefined) console.log(`newest  ${new Date(s.newest).toISOString()} (${formatAge(now - s.newest)} ago)`);
}

function printList(store: Store, opts: { json: boolean; node?: string; graph?: string }): void {
  const rows: CacheEntry[] = [];
  for (const e of store.ls()) {
    if (opts.node !== undefined && e.label.node !== opts.node) continue;
    if (opts.graph !== undefined && e.label.graph !== opts.graph) continue;
    rows.push(e);
  }
  // get() checks that every blob is present: an entry failing it is flagged, never hidden
  const complete = (e: CacheEntry): boolean => store.get(e.key) !== undefined;
  if (opts.json) {
    for (const e of rows) console.log(JSON.stringify({ ...e, complete: complete(e) }, jsonSafe));
    return;
  }
  // most recently used first: what a re-run would hit
  rows.sort((a, b) => b.lastUsedAt - a.lastUsedAt || (a.key < b.key ? -1 : 1));
  const now = Date.now();
  const lines = rows.map((e) => [formatAge(now - e.createdAt), formatAge(now - e.lastUsedAt), formatBytes(e.size), labelText(e) + (complete(e) ? '' : '  [INCOMPLETE: blob missing]'), e.key.slice(0, 12)]);
  const head = ['AGE', 'USED', 'SIZE', 'GRAPH/NODE (KIND) CHUNK', 'KEY'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  if (lines.length) console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  if (!lines.length) console.log(opts.node || opts.graph ? 'no matching entries' : 'cache is empty');
}

function labelText(e: CacheEntry): string {
  const { graph, node, kind, chunk } = e.label;
  let s = [graph, node].filter(Boolean).join('/') || '-';
  if (kind) s += ` (${kind})`;
  if (chunk) s += ` ${chunk}`;
  return s;
}

// typed arrays and bigints in meta print as plain JSON
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

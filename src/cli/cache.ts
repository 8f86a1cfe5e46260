// `flow cache stats|ls|gc|clear|verify [--cache-dir DIR]`: inspect and manage the content-addressed cache.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { openStore, StoreOpenError } from '../../cache/store.ts';
import { resolveCacheDir } from '../../cache/location.ts';
import { formatAge, formatBytes, parseDuration, parseSize } from '../../cache/units.ts';
import type { CacheEntry, GcOptions, Store } from '../../cache/types.ts';

const HELP = `usage: flow cache <command> [--cache-dir DIR]

commands:
  stats                      entries, blobs, bytes, oldest and newest entry, generated samples   [--json]
  ls                         one line per entry: age, last use, size, graph/node (kind) chunk, key
                             [--node NAME] [--graph NAME] [--json (one JSON object per line)]
  gc                         remove least recently used entries until the cache fits, and entries
                             not used for a while; then blobs no entry refers to
                             [--max-size SIZE (with a unit: 2GB, 500MB, 50KiB, 4096B)] [--older-than AGE (e.g. 7d, 12h)]
                             [--yes (needed when gc would remove more than half of the cache)] [--json]
                             (without options: only incomplete entries, orphan blobs, stale temp files
                             and interrupted sample writes; generated samples stay)
  clear                      remove every entry and blob, and the generated samples
  verify                     re-hash every blob and check the digest of every entry and memo record;
                             drop corrupt or missing ones and their entries
                             (exit code 1 if any were found)   [--json]

options:
  --cache-dir DIR            cache directory (default: $FLOW_CACHE_DIR, else .flow-cache/ in the current directory)
  --executor URL             stats, gc: the shared cache on that Redis (flow run --executor) instead;
                             gc takes --older-than (entries by age) [--blob-dir DIR (its large blobs)]
  -h, --help                 this help

Sizes need a unit (B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB; powers of 1024: 1KB = 1024 bytes).
Ages: ms, s, m, h, d, w; combinations like 1d12h.`;

const OPTIONS = {
  'cache-dir': { type: 'string' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  graph: { type: 'string' },
  'max-size': { type: 'string' },
  'older-than': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  executor: { type: 'string' },
  'blob-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, string[]> = {
  stats: ['cache-dir', 'json', 'executor'],
  ls: ['cache-dir', 'json', 'node', 'graph'],
  gc: ['cache-dir', 'json', 'max-size', 'older-than', 'yes', 'executor', 'blob-dir'],
  clear: ['cache-dir'],
  verify: ['cache-dir', 'json'],
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('cache', argv, OPTIONS);
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
  const gcOpts = cmd === 'gc' ? parseGcOptions(values['max-size'], values['older-than']) : undefined;
  if (values.executor !== undefined) return remoteCache(cmd, values.executor, values['blob-dir'], gcOpts, values.json === true);
  const dir = resolveCacheDir(values['cache-dir']);

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
        if (!values.yes) refuseLargeGc(store, gcOpts!, values);
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
        const samples = before.generated?.files ? `, ${before.generated.files} generated samples (${formatBytes(before.generated.bytes)})` : '';
        console.log(`cleared ${dir}: ${before.entries} entries, ${formatBytes(before.bytes)}${samples}`);
        break;
      }
    }
  } finally {
    await store.close();
  }
  return 0;
}

function parseGcOptions(maxSize: string | undefined, olderThan: string | undefined): GcOptions {
  const opts: GcOptions = {};
  // `--max-size 50` read as 50 bytes empties the cache: a size always says its unit
  if (maxSize !== undefined && /^\s*[\d.]+\s*$/.test(maxSize)) {
    const n = maxSize.trim();
    throw new UserError(`cache gc --max-size ${n}: give a unit (${n}MB, ${n}GB, ${n}KiB, or ${n}B for bytes)`);
  }
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

/** Refuses (exit 2, nothing removed) a gc that would remove more than half of the cache's bytes:
 *  at least bytes - maxSize for --max-size, the entries last used before the cut for --older-than. */
function refuseLargeGc(store: Store, opts: GcOptions, values: { 'max-size'?: string; 'older-than'?: string }): void {
  const total = store.stats().bytes;
  if (total === 0) return;
  let removed = opts.maxSizeBytes !== undefined ? Math.max(0, total - opts.maxSizeBytes) : 0;
  if (opts.olderThanMs !== undefined) {
    const cut = Date.now() - opts.olderThanMs;
    let all = 0, old = 0;
    for (const e of store.ls()) {
      all += e.size;
      if (e.lastUsedAt < cut) old += e.size;
    }
    if (all > 0) removed = Math.max(removed, (old / all) * total);
  }
  if (removed <= total / 2) return;
  const asked = [values['max-size'] !== undefined ? `--max-size ${values['max-size']}` : '', values['older-than'] !== undefined ? `--older-than ${values['older-than']}` : ''].filter(Boolean).join(' ');
  throw new UserError(`cache gc ${asked} would remove ${removed >= total ? 'all' : `about ${Math.round((100 * removed) / total)}%`} of the cache (${formatBytes(removed)} of ${formatBytes(total)}); nothing removed: add --yes to do it`);
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
  if (s.generated?.files) console.log(`generated samples ${s.generated.files} files, ${formatBytes(s.generated.bytes)} (kept by gc, removed by clear)`);
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

/** `--executor URL`: the shared cache of scale-out runs (src/scaleout/remote-cache.ts). */
async function remoteCache(cmd: string, executor: string, blobDir: string | undefined, gc: { maxSizeBytes?: number; olderThanMs?: number } | undefined, json: boolean): Promise<number> {
  if (gc?.maxSizeBytes !== undefined) throw new UserError('cache gc --executor: --max-size does not apply to the shared cache (use --older-than)');
  const { openExecutor } = await import('../scaleout/coordinator.ts');
  const { SharedStore } = await import('../scaleout/shared-store.ts');
  const { url, redis } = await openExecutor(executor);
  const shared = new SharedStore(redis, blobDir ?? null, url.shown);
  try {
    if (cmd === 'stats') {
      const s = await shared.stats();
      if (json) console.log(JSON.stringify({ redis: url.shown, ...s }));
      else {
        const graphs = Object.entries(s.graphs).map(([g, n]) => `${g} ${n}`).join(', ') || 'none';
        console.log(`shared cache on ${url.shown}: entries by graph: ${graphs}; ${s.redisBlobs} blobs in Redis (${formatBytes(s.redisBlobBytes)})`);
      }
    } else {
      const { remoteGc } = await import('../scaleout/remote-cache.ts');
      const r = await remoteGc(shared, gc?.olderThanMs);
      if (json) console.log(JSON.stringify(r));
      else console.log(`shared cache on ${url.shown}: removed ${r.removedEntries} entries and ${r.removedBlobs} blobs (${formatBytes(r.removedBytes)} in Redis)`);
    }
  } finally {
    redis.disconnect();
  }
  return 0;
}

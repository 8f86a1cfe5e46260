// Values served from inside the LMDB index are verified like blobs (a flipped bit in index.mdb is a
// miss, never a changed result); undecodable entries are dropped with a warning and every command
// keeps working; a truncated index is moved aside instead of killing the process with SIGBUS;
// killed sample generations and read-only caches leave no crash behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { open } from 'lmdb';
import { openStore } from '../cache/store.ts';
import { bytes } from './cache-helpers.ts';

const CLI = join(import.meta.dirname, '..', 'cli.ts');
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hepflow-integrity-'));

function flow(args: string[], opts: { uid?: number } = {}): { code: number | null; signal: string | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FLOW_CACHE_DIR: '' }, ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }) });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Adds `delta` to the last byte of every occurrence of `marker` in `file` (LMDB's copy-on-write
 *  may leave older copies in free pages). */
function flipInFile(file: string, marker: string, delta = 1): void {
  const buf = readFileSync(file);
  let n = 0;
  for (let at = buf.indexOf(marker, 0, 'latin1'); at >= 0; at = buf.indexOf(marker, at + 1, 'latin1'), n++) buf[at + marker.length - 1] = buf[at + marker.length - 1]! + delta;
  assert.ok(n > 0, `${marker} not in ${file}`);
  writeFileSync(file, buf);
}

test('a flipped byte in a result stored inside index.mdb is a miss with a warning, and verify reports it', async () => {
  const dir = tempDir();
  try {
    let store = await openStore(dir);
    await store.put({ key: 'fit', label: { node: 'fit' }, meta: { note: 'Signal_norm=0.8849' }, payloads: [] });
    await store.put({ key: 'other', label: { node: 'other' }, meta: { note: 'untouched' }, payloads: [bytes(300, 1)] });
    await store.memo!('content-sha256').set('file-a', 'memo-value-1234');
    await store.close();
    flipInFile(join(dir, 'index.mdb'), 'Signal_norm=0.8849'); // -> 0.884:
    flipInFile(join(dir, 'index.mdb'), 'memo-value-1234');

    const warnings: string[] = [];
    store = await openStore(dir, { onWarning: (m) => warnings.push(m) });
    assert.equal(store.get('fit'), undefined, 'a corrupt inline result must not be served');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /cache entry fit .*index\.mdb is corrupt \(its sha256 does not match the stored digest\): dropped/);
    assert.deepEqual(store.get('other')?.meta, { note: 'untouched' });
    assert.equal(store.memo!('content-sha256').get('file-a'), undefined, 'a corrupt memo record is not served');
    await store.flush!();
    assert.equal([...store.ls()].length, 1, 'the corrupt entry was dropped');
    await store.close();

    // verify finds the same corruption when nothing read the entry first
    store = await openStore(dir, { onWarning: () => {} });
    await store.put({ key: 'fit', label: { node: 'fit' }, meta: { note: 'Signal_norm=0.8849' }, payloads: [] });
    await store.close();
    flipInFile(join(dir, 'index.mdb'), 'Signal_norm=0.8849');
    const v = flow(['cache', 'verify', '--json', '--cache-dir', dir]);
    assert.equal(v.code, 1, v.err);
    const report = JSON.parse(v.out);
    assert.equal(report.entries, 2);
    assert.equal(report.droppedEntries, 1);
    assert.ok(report.corrupt.some((p: string) => p.endsWith('index.mdb (entry fit)')), v.out);
    assert.ok(report.corrupt.some((p: string) => /memo record/.test(p)), v.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('undecodable entries are dropped with a warning; stats, ls, gc, verify and clear keep working', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(dir);
    await store.put({ key: 'good', label: { node: 'good' }, meta: { n: 1 }, payloads: [bytes(20_000, 2)] });
    await store.close();
    // written behind the store's back: garbage, a valid v8 value that is no entry, an unsealed entry
    const env = open({ path: join(dir, 'index.mdb'), compression: false, maxDbs: 8 });
    const entries = env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' });
    await entries.put('junk', new Uint8Array([0xff, 0x0f, 0x6f, 0x22, 0x99, 0x01]));
    await entries.put('number', serialize(42));
    await entries.put('unsealed', serialize({ key: 'unsealed', label: {}, outputHash: 'x', meta: 1, blobs: [], size: 0, createdAt: 1, lastUsedAt: 1 }));
    await env.close();

    for (const cmd of ['stats', 'ls', 'gc']) {
      const r = flow(['cache', cmd, '--cache-dir', dir]);
      assert.equal(r.code, 0, `${cmd}: ${r.err}`);
      assert.doesNotMatch(r.err, /\n\s+at /, `${cmd} printed a stack trace`);
    }
    const s = flow(['cache', 'stats', '--json', '--cache-dir', dir]);
    assert.equal(JSON.parse(s.out).entries, 1);
    assert.equal(flow(['cache', 'verify', '--cache-dir', dir]).code, 0, 'gc already dropped them');
    const c = flow(['cache', 'clear', '--cache-dir', dir]);
    assert.equal(c.code, 0, c.err);
    assert.equal(JSON.parse(flow(['cache', 'stats', '--json', '--cache-dir', dir]).out).entries, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run-time reader sees an undecodable entry as a miss plus one warning', async () => {
  const dir = tempDir();
  try {
    const env = open({ path: join(dir, 'index.mdb'), compression: false, maxDbs: 8 });
    await env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' }).put('k', serialize(42));
    await env.close();
    const warnings: string[] = [];
    const store = await openStore(dir, { onWarning: (m) => warnings.push(m) });
    assert.equal(store.get('k'), undefined);
    assert.equal([...store.ls()].length, 0);
    assert.equal(store.stats().entries, 0);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    await store.put({ key: 'k', label: {}, meta: 7, payloads: [] });
    assert.equal(store.get('k')?.meta, 7, 'the recomputed result is stored again');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated index.mdb is moved aside with a warning (no SIGBUS) and its blobs are swept', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(dir);
    for (let i = 0; i < 40; i++) await store.put({ key: `k${i}`, label: { node: 'n' }, meta: { i }, payloads: [bytes(8000, i), bytes(30_000, 100 + i)] });
    await store.close();
    assert.ok(statSync(join(dir, 'index.mdb')).size > 200_000);
    truncateSync(join(dir, 'index.mdb'), 100_000);
    for (const cmd of [['cache', 'stats'], ['cache', 'ls'], ['cache', 'verify']]) {
      const r = flow([...cmd, '--cache-dir', dir]);
      assert.equal(r.signal, null, `${cmd.join(' ')} was killed by ${r.signal}`);
      assert.equal(r.code, 0, r.err);
    }
    const first = flow(['cache', 'stats', '--json', '--cache-dir', dir]);
    assert.deepEqual([JSON.parse(first.out).entries, JSON.parse(first.out).blobs], [0, 0]);
    assert.ok(existsSync(join(dir, 'index.mdb.damaged')));
    const blobFiles = readdirSync(join(dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    assert.equal(blobFiles.length, 0, 'orphan blobs of the lost index are swept');

    truncateSync(join(dir, 'index.mdb'), 5000);
    const r = flow(['cache', 'stats', '--cache-dir', dir]);
    assert.equal(r.signal, null);
    assert.match(r.err, /^flow: warning: cache index .*index\.mdb is damaged \(.*\): moved to .*index\.mdb\.damaged/);
    assert.equal(r.err.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.part samples of a killed generation are removed when the cache is opened; live ones are kept', async () => {
  const dir = tempDir();
  try {
    const gen = join(dir, 'generated');
    mkdirSync(gen, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!; // has exited
    writeFileSync(join(gen, `.mini-ttbar.root.${dead}.${Date.now()}.part`), 'x');
    const live = `.mini-data.root.${process.pid}.${Date.now()}.part`;
    writeFileSync(join(gen, live), 'y');
    writeFileSync(join(gen, 'mini-ttbar.root'), 'kept');
    await (await openStore(dir)).close();
    assert.deepEqual(readdirSync(gen).sort(), [live, 'mini-ttbar.root'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache commands on a read-only cache print one line, no stack trace', { skip: process.platform === 'win32' }, async () => {
  const dir = tempDir();
  try {
    const store = await openStore(dir);
    await store.put({ key: 'k', label: {}, meta: 1, payloads: [] });
    await store.close();
    const asRoot = process.getuid?.() === 0;
    chmodSync(dir, 0o555);
    chmodSync(join(dir, 'index.mdb-lock'), 0o444);
    chmodSync(join(dir, 'index.mdb'), 0o444);
    for (const cmd of ['stats', 'ls', 'verify']) {
      const r = flow(['cache', cmd, '--cache-dir', dir], asRoot ? { uid: 65534 } : {});
      assert.equal(r.code, 1, `${cmd}: ${r.out}${r.err}`);
      assert.match(r.err, new RegExp(`^flow: cache ${cmd}: cannot open the cache at .*: permission denied`, 'i'));
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

// Store behaviour: round trips, dedup, corruption and missing blobs, gc (LRU and age), clear.
// Expected values come from node:crypto and the filesystem, not from the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { openStore, CorruptBlobError, MissingBlobError, type OpenStoreOptions } from '../cache/store.ts';
import type { Store } from '../cache/types.ts';
import { bytes, hex } from './cache-helpers.ts';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hepflow-cache-'));

/** Runs `fn` on a fresh store in a temp dir, then closes and removes it. */
async function withStore(...args: [(store: Store, dir: string) => Promise<void>] | [OpenStoreOptions, (store: Store, dir: string) => Promise<void>]): Promise<void> {
  const [opts, fn] = args.length === 1 ? [{}, args[0]] : args;
  const dir = tempDir();
  const store = await openStore(dir, opts);
  try {
    await fn(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function blobFilesOnDisk(dir: string): string[] {
  const root = join(dir, 'blobs');
  return readdirSync(root).filter((s) => /^[0-9a-f]{2}$/.test(s)).flatMap((shard) => readdirSync(join(root, shard)).map((f) => shard + f));
}

test('put / get / readBlob round trip, large payloads as files, small ones inline', async () => {
  const dir = tempDir();
  const store = await openStore(dir);
  try {
    const big = bytes(200_000, 1);
    const small = bytes(100, 2);
    const meta = { events: 1234, sumw: new Float64Array([1.5, 2.5]), names: new Set(['a']) };
    const put = await store.put({ key: 'k1', label: { graph: 'g', node: 'skim', kind: 'skim', chunk: 'f.root[0:10]' }, meta, payloads: [big, small] });
    assert.deepEqual(put.blobs, [hex(big), hex(small)]);
    assert.equal(put.size, 200_100);

    const got = store.get('k1');
    assert.ok(got);
    assert.deepEqual(got.blobs, [hex(big), hex(small)]);
    assert.deepEqual(got.label, { graph: 'g', node: 'skim', kind: 'skim', chunk: 'f.root[0:10]' });
    assert.deepEqual(got.meta, meta); // typed arrays and Sets survive
    assert.equal(got.outputHash, put.outputHash);
    assert.deepEqual(await store.readBlob(hex(big)), new Uint8Array(big));
    assert.deepEqual(await store.readBlob(hex(small)), new Uint8Array(small));

    const h = hex(big);
    const file = join(dir, 'blobs', h.slice(0, 2), h.slice(2));
    assert.deepEqual(new Uint8Array(readFileSync(file)), big);
    assert.deepEqual(blobFilesOnDisk(dir), [h]); // the 100-byte payload lives in LMDB
    assert.equal(store.get('nope'), undefined);
  } finally {
    await store.close();
  }
  // persists across reopen
  const again = await openStore(dir);
  assert.equal(again.get('k1')?.size, 200_100);
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});

test('identical payloads share one blob; outputHash follows content', async () => {
  await withStore(async (store, dir) => {
    const p = bytes(50_000, 3);
    const a = await store.put({ key: 'a', label: {}, meta: { x: 1 }, payloads: [p] });
    const b = await store.put({ key: 'b', label: {}, meta: { x: 1 }, payloads: [new Uint8Array(p)] });
    const c = await store.put({ key: 'c', label: {}, meta: { x: 2 }, payloads: [p] });
    assert.equal(blobFilesOnDisk(dir).length, 1);
    assert.equal(a.outputHash, b.outputHash);
    assert.notEqual(a.outputHash, c.outputHash);
    const s = store.stats();
    assert.equal(s.entries, 3);
    assert.equal(s.blobs, 1);
    assert.equal(s.bytes, 50_000);
    const explicit = await store.put({ key: 'd', label: {}, meta: null, payloads: [], outputHash: 'given' });
    assert.equal(explicit.outputHash, 'given');
  });
});

test('a corrupt blob throws CorruptBlobError naming the file, drops its entries, and is rewritten by the next put', async () => {
  await withStore(async (store, dir) => {
    const p = bytes(40_000, 4);
    const h = hex(p);
    await store.put({ key: 'x', label: {}, meta: 1, payloads: [p] });
    await store.put({ key: 'y', label: {}, meta: 2, payloads: [p, bytes(30_000, 5)] });
    await store.put({ key: 'z', label: {}, meta: 3, payloads: [bytes(30_000, 6)] });
    const file = join(dir, 'blobs', h.slice(0, 2), h.slice(2));
    const bad = readFileSync(file);
    bad[1000]! ^= 0xff; // same size, different content
    writeFileSync(file, bad);

    await assert.rejects(store.readBlob(h), (err: unknown) => {
      assert.ok(err instanceof CorruptBlobError);
      assert.ok(err.message.includes(file), err.message);
      return true;
    });
    assert.equal(store.get('x'), undefined);
    assert.equal(store.get('y'), undefined);
    assert.ok(store.get('z'), 'unrelated entry kept');

    await store.put({ key: 'x', label: {}, meta: 1, payloads: [p] });
    assert.deepEqual(await store.readBlob(h), new Uint8Array(p));
  });
});

test('a missing or truncated blob file makes get() return undefined and readBlob throw', async () => {
  await withStore(async (store, dir) => {
    const p = bytes(30_000, 7);
    const q = bytes(30_000, 8);
    await store.put({ key: 'm', label: {}, meta: null, payloads: [p] });
    await store.put({ key: 't', label: {}, meta: null, payloads: [q] });
    const hp = hex(p);
    const hq = hex(q);
    unlinkSync(join(dir, 'blobs', hp.slice(0, 2), hp.slice(2)));
    writeFileSync(join(dir, 'blobs', hq.slice(0, 2), hq.slice(2)), q.subarray(0, 100));
    assert.equal(store.get('m'), undefined);
    assert.equal(store.get('t'), undefined);
    await assert.rejects(store.readBlob(hp), MissingBlobError);
    await assert.rejects(store.readBlob(hex(bytes(10, 99))), CorruptBlobError);
  });
});

test('gc --max-size evicts least recently used entries and only their unreferenced blobs', async () => {
  let now = 1_000_000;
  await withStore({ clock: () => now }, async (store, dir) => {
    const shared = bytes(20_000, 10);
    const own = [0, 1, 2, 3].map((i) => bytes(20_000, 20 + i));
    // e0 oldest ... e3 newest; e0 and e3 share `shared`
    for (let i = 0; i < 4; i++) {
      now += 1000;
      await store.put({ key: `e${i}`, label: { node: `n${i}` }, meta: null, payloads: i === 0 || i === 3 ? [own[i]!, shared] : [own[i]!] });
    }
    now += 1000;
    store.touch('e1'); // e1 becomes the most recently used
    await store.flush?.();
    assert.equal(store.get('e1')?.lastUsedAt, now);
    // LRU order now: e0, e2, e3, e1. Unique bytes: 5 blobs x 20 000 = 100 000.
    assert.equal(store.stats().bytes, 100_000);
    // 60 000 fits after evicting e0 (frees own0 only, `shared` still used by e3) and e2 (frees own2)
    const res = await store.gc({ maxSizeBytes: 60_000 });
    assert.equal(res.removedEntries, 2);
    assert.equal(res.removedBytes, 40_000);
    assert.equal(store.get('e0'), undefined);
    assert.equal(store.get('e2'), undefined);
    assert.ok(store.get('e1'));
    assert.ok(store.get('e3'));
    assert.deepEqual(blobFilesOnDisk(dir).sort(), [hex(own[1]!), hex(own[3]!), hex(shared)].sort());
    assert.deepEqual(await store.readBlob(hex(shared)), new Uint8Array(shared));
  });
});

test('gc --older-than removes entries unused for that long; gc sweeps orphan blobs and stale temp files', async () => {
  let now = 5_000_000;
  await withStore({ clock: () => now }, async (store, dir) => {
    await store.put({ key: 'old', label: {}, meta: null, payloads: [bytes(20_000, 30), bytes(100, 31)] });
    await store.memo!('sha').set('/data/old.root', 'aa');
    now += 10 * 86_400_000;
    await store.put({ key: 'new', label: {}, meta: null, payloads: [bytes(20_000, 32)] });
    await store.memo!('sha').set('/data/new.root', 'bb');
    // an orphan blob (as after a crash between rename and commit) and a temp file of a dead writer
    const orphan = bytes(20_000, 33);
    const ho = hex(orphan);
    writeFileSync(join(dir, 'blobs', ho.slice(0, 2) + '-x'), ''); // not a shard: ignored
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'blobs', ho.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'blobs', ho.slice(0, 2), ho.slice(2)), orphan);
    const staleTemp = join(dir, 'tmp', 'blob.otherhost.123.abcdef.tmp');
    writeFileSync(staleTemp, 'partial');
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(staleTemp, old, old);
    const liveTemp = join(dir, 'tmp', 'blob.otherhost.124.abcdef.tmp');
    writeFileSync(liveTemp, 'being written');

    const res = await store.gc({ olderThanMs: 7 * 86_400_000 });
    assert.equal(res.removedEntries, 1);
    assert.equal(res.removedBytes, 20_000 + 100 + 20_000); // old's two blobs + the orphan
    assert.equal(store.get('old'), undefined);
    assert.ok(store.get('new'));
    assert.equal(store.memo!('sha').get('/data/old.root'), undefined, 'old memo records pruned too');
    assert.equal(store.memo!('sha').get('/data/new.root'), 'bb');
    assert.deepEqual(blobFilesOnDisk(dir), [hex(bytes(20_000, 32))]);
    assert.equal(existsSync(staleTemp), false);
    assert.equal(existsSync(liveTemp), true, 'a recent temp file may belong to a live writer');
  });
});

test('touches are persisted by close()', async () => {
  let now = 1000;
  await withStore({ clock: () => now }, async (store, dir) => {
    await store.put({ key: 'a', label: {}, meta: null, payloads: [] });
    now = 2000;
    store.touch('a');
    await store.close();
    const again = await openStore(dir);
    try {
      assert.equal(again.get('a')?.lastUsedAt, 2000);
      assert.equal(again.get('a')?.createdAt, 1000);
    } finally {
      await again.close();
    }
  });
});

test('delete and clear; the store keeps working afterwards; memo tables', async () => {
  await withStore(async (store, dir) => {
    await store.put({ key: 'a', label: {}, meta: null, payloads: [bytes(30_000, 40)] });
    await store.put({ key: 'b', label: {}, meta: null, payloads: [bytes(30_000, 41)] });
    await store.delete('a');
    assert.equal(store.get('a'), undefined);
    assert.deepEqual([...store.ls()].map((e) => e.key), ['b']);
    const memo = store.memo!('t');
    await memo.set('file', 'abc');
    assert.equal(memo.get('file'), 'abc');
    assert.equal(store.memo!('other').get('file'), undefined);

    await store.clear();
    assert.equal(store.stats().entries, 0);
    assert.equal(store.get('b'), undefined);
    assert.deepEqual(blobFilesOnDisk(dir), []);
    assert.equal(memo.get('file'), undefined);
    assert.equal(readdirSync(join(dir, 'tmp')).length, 0, 'trash removed');

    const p = bytes(30_000, 42);
    await store.put({ key: 'c', label: {}, meta: null, payloads: [p] });
    assert.deepEqual(await store.readBlob(hex(p)), new Uint8Array(p));
  });
});

test('bad keys and unserialisable meta are refused before anything is written', async () => {
  await withStore(async (store, dir) => {
    await assert.rejects(store.put({ key: '', label: {}, meta: null, payloads: [] }), /non-empty string/);
    await assert.rejects(store.put({ key: 'f', label: {}, meta: { f: () => 1 }, payloads: [bytes(30_000, 50)] }), /cache put f: meta is not serialisable/);
    assert.deepEqual(blobFilesOnDisk(dir), []);
    assert.ok(statSync(join(dir, 'index.mdb')).isFile());
  });
});

test('the b-tree walk at open is skipped only for an index exactly as a store closed it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-store-walk-'));
  try {
    const walked = async (at = dir): Promise<boolean> => {
      const s = await openStore(at);
      const w = (s as unknown as { indexWalked: boolean }).indexWalked;
      await s.close();
      return w;
    };
    const first = await openStore(dir);
    assert.equal((first as unknown as { indexWalked: boolean }).indexWalked, true, 'no stamp yet');
    await first.put({ key: 'k', label: { node: 'n' }, meta: { v: 1 }, payloads: [new Uint8Array(10)] });
    await first.close();
    assert.equal(await walked(), false, 'as the last store left it');
    // written and not closed cleanly: the process died (its stamp is never written)
    const env = open({ path: join(dir, 'index.mdb'), compression: false, maxDbs: 8 });
    await env.openDB({ name: 'used', encoding: 'msgpack' }).put('k', 5);
    await env.close();
    assert.equal(await walked(), true, 'written behind the stamp');
    assert.equal(await walked(), false, 'stamped again by that clean close');
    const mtime = statSync(join(dir, 'index.mdb')).mtime;
    utimesSync(join(dir, 'index.mdb'), mtime, new Date(mtime.getTime() - 1000));
    assert.equal(await walked(), true, 'another mtime');
    const copy = `${dir}-copy`;
    cpSync(dir, copy, { recursive: true, preserveTimestamps: true });
    try {
      assert.equal(await walked(copy), true, 'a copy is another file');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generated samples (<cache>/generated): counted by stats, kept by gc, removed by clear; stale part files swept', async () => {
  await withStore({ staleTempMs: 0 }, async (store, dir) => {
    const gen = join(dir, 'generated');
    mkdirSync(gen, { recursive: true });
    writeFileSync(join(gen, 'nanoaod-ttbar-100ev-seed1-zstd-abc.root'), bytes(3000, 7));
    writeFileSync(join(gen, 'atlas4lep-zz-10ev-seed2-zlib-abc.root'), bytes(500, 8));
    // an interrupted write of a process that is gone (pid 2^22 + 1 is above Linux's pid_max default)
    writeFileSync(join(gen, `.nanoaod-x.root.${2 ** 22 + 1}.1.part`), bytes(10, 9));
    assert.deepEqual(store.stats().generated, { files: 2, bytes: 3500 });
    await store.gc({ olderThanMs: 0 });
    assert.deepEqual(readdirSync(gen).sort(), ['atlas4lep-zz-10ev-seed2-zlib-abc.root', 'nanoaod-ttbar-100ev-seed1-zstd-abc.root']);
    await store.clear();
    assert.equal(existsSync(gen), false);
    assert.deepEqual(store.stats().generated, { files: 0, bytes: 0 });
  });
});

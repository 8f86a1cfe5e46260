// The shared cache on Redis: blobs verified by sha256 on read, the tiered store (own LMDB in front
// of the shared store), large blobs in a shared directory, `flow cache stats|gc --executor`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../cache/store.ts';
import { sha256 } from '../cache/hash.ts';
import { connectChecked, parseExecutorUrl } from '../src/scaleout/connection.ts';
import { blobKey } from '../src/scaleout/keys.ts';
import { SharedStore } from '../src/scaleout/shared-store.ts';
import { TieredStore } from '../src/scaleout/tiered-store.ts';
import { redisMissing, runFlow, startRedis, tempDir } from './helpers/scaleout.ts';

const opts = { skip: redisMissing, timeout: 120_000 };
const bytes = (s: string, n = 1): Uint8Array => new TextEncoder().encode(s.repeat(n));

test('tiered store: a process with an empty LMDB finds another process\'s results, verified by sha256', opts, async () => {
  const r = await startRedis();
  const redis = await connectChecked(parseExecutorUrl(r.url));
  const blobDir = tempDir('blobs');
  const a = await openStore(tempDir('a'));
  const b = await openStore(tempDir('b'));
  try {
    const sharedA = new SharedStore(redis, blobDir, r.url);
    const writer = new TieredStore(a, sharedA, 'g');
    const big = bytes('x', (1 << 20) + 10); // over REDIS_BLOB_MAX: a file in the blob dir
    await writer.put({ key: 'k1', label: { graph: 'g', node: 'n' }, meta: { c: 1 }, payloads: [bytes('small'), big] });
    assert.ok(existsSync(join(blobDir, sha256(big).slice(0, 2), sha256(big))), 'large blob as a sha256-named file');
    assert.equal(await redis.exists(blobKey(sha256(big))), 0);

    const reader = new TieredStore(b, new SharedStore(redis, blobDir, r.url), 'g');
    assert.equal(reader.get('k1'), undefined, 'not visible before the action cache is read');
    assert.equal(await reader.prefetchAll(), 1);
    const e = reader.get('k1')!;
    assert.deepEqual(e.meta, { c: 1 });
    assert.deepEqual(await reader.readBlob(e.blobs[0]!), bytes('small'));
    assert.equal((await reader.readBlob(e.blobs[1]!)).byteLength, big.byteLength);

    await redis.set(blobKey(e.blobs[0]!), 'tampered');
    await assert.rejects(reader.readBlob(e.blobs[0]!), (err: Error) => err.name === 'CorruptBlobError' && /is corrupt/.test(err.message));
    await redis.del(blobKey(e.blobs[0]!));
    await assert.rejects(reader.readBlob(e.blobs[0]!), (err: Error) => err.name === 'MissingBlobError');
  } finally {
    await a.close();
    await b.close();
    redis.disconnect();
    await r.stop();
  }
});

test('flow cache stats|gc --executor: entries by graph; gc --older-than drops old entries and the blobs only they used', opts, async () => {
  const r = await startRedis();
  const redis = await connectChecked(parseExecutorUrl(r.url));
  try {
    const s = new SharedStore(redis, null, r.url);
    const entry = (key: string, blobs: Uint8Array[], createdAt: number) => ({
      key, label: { graph: 'g' }, outputHash: key, meta: null, blobs: blobs.map((p) => sha256(p)), size: 0, createdAt, lastUsedAt: createdAt,
    });
    const shared = bytes('shared'), oldOnly = bytes('old only'), fresh = bytes('fresh');
    await s.putEntry('g', entry('old', [shared, oldOnly], Date.now() - 10 * 86_400_000), [shared, oldOnly]);
    await s.putEntry('g', entry('new', [shared, fresh], Date.now()), [shared, fresh]);
    await s.putEntry('h', entry('other', [], Date.now()), []);
    const st = await runFlow(['cache', 'stats', '--executor', r.url, '--json']);
    assert.equal(st.code, 0, st.err);
    assert.deepEqual(JSON.parse(st.out).graphs, { g: 2, h: 1 });
    assert.equal(JSON.parse(st.out).redisBlobs, 3);
    const gc = await runFlow(['cache', 'gc', '--executor', r.url, '--older-than', '1d', '--json']);
    assert.equal(gc.code, 0, gc.err);
    assert.deepEqual({ ...JSON.parse(gc.out), removedBytes: undefined }, { removedEntries: 1, removedBlobs: 1, removedBytes: undefined });
    assert.equal(await redis.exists(blobKey(sha256(oldOnly))), 0);
    assert.equal(await redis.exists(blobKey(sha256(shared))), 1);
    assert.equal(await s.getEntry('g', 'old'), undefined);
    const bad = await runFlow(['cache', 'gc', '--executor', r.url, '--max-size', '1GB']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--max-size does not apply to the shared cache/);
  } finally {
    redis.disconnect();
    await r.stop();
  }
});

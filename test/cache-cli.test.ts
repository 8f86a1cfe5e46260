// `flow cache stats|ls|gc|clear` through the real CLI entry point, on a temp cache dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../cache/store.ts';
import { parseDuration, parseSize } from '../cache/units.ts';
import { bytes } from './cache-helpers.ts';

const CLI = join(import.meta.dirname, '..', 'cli.ts');

function flow(args: string[], env: Record<string, string> = {}, cwd?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'cache', ...args], { encoding: 'utf8', env: { ...process.env, FLOW_CACHE_DIR: '', ...env }, cwd });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('flow cache stats / ls / gc / clear on a temp cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-cli-'));
  const cacheDir = join(dir, 'c');
  try {
    const store = await openStore(cacheDir);
    const sizes = [3000, 5000, 7000, 20_000];
    for (let i = 0; i < sizes.length; i++) {
      await store.put({ key: `key${i}`.padEnd(64, String(i)), label: { graph: 'hzz', node: i < 2 ? 'skim' : 'm4l', kind: i < 2 ? 'skim' : 'fill', chunk: `data_A.root[${i}]` }, meta: { i }, payloads: [bytes(sizes[i]!, i)] });
    }
    await store.close();

    const stats = flow(['stats', '--json', '--cache-dir', cacheDir]);
    assert.equal(stats.code, 0, stats.err);
    const s = JSON.parse(stats.out);
    assert.equal(s.entries, 4);
    assert.equal(s.blobs, 4);
    assert.equal(s.bytes, 35_000);
    const human = flow(['stats', '--cache-dir', cacheDir]);
    assert.match(human.out, /entries\s+4/);

    const ls = flow(['ls', '--cache-dir', cacheDir]);
    assert.equal(ls.code, 0, ls.err);
    const lines = ls.out.trim().split('\n');
    assert.equal(lines.length, 5); // header + 4 entries
    assert.ok(lines.some((l) => l.includes('hzz/m4l (fill) data_A.root[3]') && l.includes('key3')));
    const skim = flow(['ls', '--json', '--node', 'skim', '--cache-dir', cacheDir]);
    const rows = skim.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.label.chunk).sort(), ['data_A.root[0]', 'data_A.root[1]']);
    assert.ok(rows.every((r) => r.complete === true));
    // an entry whose blob file vanished is flagged, not hidden (entry 3's 20 kB blob is a file)
    const h = JSON.parse(flow(['ls', '--json', '--cache-dir', cacheDir]).out.split('\n').find((l) => l.includes('data_A.root[3]'))!).blobs[0] as string;
    const blobFile = join(cacheDir, 'blobs', h.slice(0, 2), h.slice(2));
    rmSync(blobFile);
    const flagged = flow(['ls', '--cache-dir', cacheDir]).out.split('\n').filter((l) => l.includes('INCOMPLETE'));
    assert.equal(flagged.length, 1);
    assert.ok(flagged[0]!.includes('data_A.root[3]'));
    writeFileSync(blobFile, bytes(20_000, 3));
    assert.equal(flow(['verify', '--cache-dir', cacheDir]).code, 0);
    // a corrupted blob: verify reports it (exit 1) and drops the entry
    const bad = bytes(20_000, 3);
    bad[7]! ^= 1;
    writeFileSync(blobFile, bad);
    const verify = flow(['verify', '--json', '--cache-dir', cacheDir]);
    assert.equal(verify.code, 1);
    const report = JSON.parse(verify.out);
    assert.deepEqual(report.corrupt, [blobFile]);
    assert.equal(report.droppedEntries, 1);
    assert.equal(report.blobs, 3);
    assert.equal(report.bytes, 15_000);
    writeFileSync(blobFile, bytes(20_000, 3));
    const s3 = await openStore(cacheDir);
    await s3.put({ key: 'key3'.padEnd(64, '3'), label: { graph: 'hzz', node: 'm4l', kind: 'fill', chunk: 'data_A.root[3]' }, meta: { i: 3 }, payloads: [bytes(20_000, 3)] });
    await s3.close();

    // FLOW_CACHE_DIR is the default when --cache-dir is absent
    const viaEnv = flow(['stats', '--json'], { FLOW_CACHE_DIR: cacheDir });
    assert.equal(JSON.parse(viaEnv.out).entries, 4);

    const gc = flow(['gc', '--max-size', '1KB', '--json', '--yes', '--cache-dir', cacheDir]);
    assert.equal(gc.code, 0, gc.err);
    assert.deepEqual(JSON.parse(gc.out), { removedEntries: 4, removedBytes: 35_000 });
    assert.equal(JSON.parse(flow(['stats', '--json', '--cache-dir', cacheDir]).out).entries, 0);

    const again = await openStore(cacheDir);
    await again.put({ key: 'k', label: {}, meta: null, payloads: [bytes(30_000, 9)] });
    await again.close();
    const clear = flow(['clear', '--cache-dir', cacheDir]);
    assert.equal(clear.code, 0, clear.err);
    assert.equal(JSON.parse(flow(['stats', '--json', '--cache-dir', cacheDir]).out).bytes, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gc: a size without a unit is refused; removing more than half of the cache needs --yes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-cli-'));
  const cacheDir = join(dir, 'c');
  try {
    const store = await openStore(cacheDir);
    for (let i = 0; i < 4; i++) await store.put({ key: `key${i}`.padEnd(64, String(i)), label: { node: 'n' }, meta: null, payloads: [bytes(10_000, i)] });
    await store.close();
    const entries = () => JSON.parse(flow(['stats', '--json', '--cache-dir', cacheDir]).out).entries as number;

    const bare = flow(['gc', '--max-size', '50', '--cache-dir', cacheDir]);
    assert.equal(bare.code, 2);
    assert.equal(bare.err.trim(), 'flow: cache gc --max-size 50: give a unit (50MB, 50GB, 50KiB, or 50B for bytes)');
    assert.equal(entries(), 4);

    const big = flow(['gc', '--max-size', '50B', '--cache-dir', cacheDir]);
    assert.equal(big.code, 2);
    assert.match(big.err, /^flow: cache gc --max-size 50B would remove about 100% of the cache \(39(\.\d)? KB of 39(\.\d)? KB\); nothing removed: add --yes to do it\n$/);
    assert.equal(entries(), 4);
    const old = flow(['gc', '--older-than', '1ms', '--cache-dir', cacheDir]);
    assert.equal(old.code, 2);
    assert.match(old.err, /--older-than 1ms would remove/);
    assert.equal(entries(), 4);

    // at most half: no question asked (30 kB limit of 40 kB removes one 10 kB entry)
    const half = flow(['gc', '--max-size', '30000B', '--json', '--cache-dir', cacheDir]);
    assert.equal(half.code, 0, half.err);
    assert.deepEqual(JSON.parse(half.out), { removedEntries: 1, removedBytes: 10_000 });
    const yes = flow(['gc', '--max-size', '1KiB', '--yes', '--json', '--cache-dir', cacheDir]);
    assert.equal(yes.code, 0, yes.err);
    assert.deepEqual(JSON.parse(yes.out), { removedEntries: 3, removedBytes: 30_000 });
    assert.equal(entries(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one-line errors and exit code 2; reading commands do not create a cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-cli-'));
  try {
    const badSize = flow(['gc', '--max-size', '2XB', '--cache-dir', dir]);
    assert.equal(badSize.code, 2);
    assert.equal(badSize.err.trim().split('\n').length, 1);
    assert.match(badSize.err, /--max-size: invalid size '2XB'/);
    const badAge = flow(['gc', '--older-than', '7', '--cache-dir', dir]);
    assert.equal(badAge.code, 2);
    assert.match(badAge.err, /--older-than: invalid duration '7'/);
    assert.equal(flow(['frobnicate']).code, 2);
    assert.equal(flow(['ls', '--max-size', '1GB']).code, 2);
    assert.equal(flow(['--help']).code, 0);
    assert.match(flow(['--help']).out, /flow cache <command>/);

    const empty = flow(['stats'], {}, dir); // default .flow-cache/ in the cwd
    assert.equal(empty.code, 0);
    assert.match(empty.out, /no cache at .*\.flow-cache/);
    assert.equal(existsSync(join(dir, '.flow-cache')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('size and duration parsing', () => {
  assert.equal(parseSize('2GB'), 2 * 1024 ** 3);
  assert.equal(parseSize('500MB'), 500 * 1024 ** 2);
  assert.equal(parseSize('1.5k'), 1536);
  assert.equal(parseSize('1024'), 1024);
  assert.throws(() => parseSize('-1GB'), /invalid size/);
  assert.throws(() => parseSize('GB'), /invalid size/);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('12h'), 12 * 3_600_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.throws(() => parseDuration('7'), /invalid duration/);
  assert.throws(() => parseDuration('7y'), /unknown unit 'y'/);
});

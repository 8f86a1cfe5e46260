// Bad input gives a UserError naming the file (and tree, branch, basket): never a crash or
// silently wrong numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openFile } from 'jsroot/io';
import { openRootFile } from '../src/root/read/index.ts';
import { UserError } from '../src/errors.ts';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(root, '../shared/data/root');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-root-read-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

async function rejectsUser(p: Promise<unknown>, ...fragments: RegExp[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    for (const f of fragments) assert.match(err.message, f);
    return true;
  });
}

/** Position of a branch's first on-disk basket, found with jsroot. */
async function basketPosition(file: string, tree: string, branch: string): Promise<{ seek: number; bytes: number }> {
  const f = await openFile(file);
  const t = await f.readObject(tree);
  const b = t.fBranches.arr.find((x: any) => x.fName === branch);
  return { seek: Number(b.fBasketSeek[0]), bytes: Number(b.fBasketBytes[0]) };
}

test('missing file, root:// without a server and unknown schemes', async () => {
  await rejectsUser(openRootFile(path.join(tmp, 'nope.root')), /nope\.root/, /no such file/);
  // root:// is read over XRootD (test/root-read-xrootd*.test.ts); nothing listens on port 1
  await rejectsUser(openRootFile('root://127.0.0.1:1//eos/opendata/x.root', { retries: 0 }), /^root:\/\/127\.0\.0\.1:1\/\/eos\/opendata\/x\.root: cannot connect to 127\.0\.0\.1:1: ECONNREFUSED$/);
  await rejectsUser(openRootFile('s3://bucket/x.root'), /unsupported URL scheme/);
});

test('a file that is not ROOT', async () => {
  const p = path.join(tmp, 'text.root');
  fs.writeFileSync(p, 'hello world '.repeat(20));
  await rejectsUser(openRootFile(p), /text\.root/, /not a ROOT file/);
});

test('truncated file', async () => {
  const src = fs.readFileSync(path.join(dataDir, 'uproot-HZZ-zlib.root'));
  const p = path.join(tmp, 'truncated.root');
  fs.writeFileSync(p, src.subarray(0, Math.floor(src.length * 0.6)));
  await rejectsUser(openRootFile(p), /truncated\.root/, /truncated or corrupt/);
});

test('missing tree and branch suggest close names', async () => {
  const f = await openRootFile(path.join(dataDir, 'uproot-HZZ.root'));
  await rejectsUser(f.tree('event'), /uproot-HZZ\.root/, /no tree 'event'/, /events/);
  const t = await f.tree('events');
  assert.throws(() => t.branch('Muon_PX'), (e: unknown) => e instanceof UserError && /tree 'events'.*no branch 'Muon_PX'.*Muon_Px/.test(e.message));
  await rejectsUser(t.read(['Muon_Px', 'nothing_here']), /no branch 'nothing_here'/);
  await rejectsUser(t.read(['Muon_Px'], { start: 10, stop: 1e6 }), /entry range/);
  await rejectsUser(f.tree('StreamerInfo'), /is a TList, not a TTree/);
  await f.close();
});

test('an unsupported branch requested explicitly names file, tree, branch and type', async () => {
  const f = await openRootFile(path.join(dataDir, 'uproot-Zmumu.root'));
  const t = await f.tree('events');
  assert.equal(t.branch('Type').supported, false);
  await rejectsUser(t.read(['Type']), /uproot-Zmumu\.root/, /tree 'events'/, /branch 'Type'/, /char\*/, /not supported/);
  await f.close();
});

test('RNTuple: a missing field is named with close names', async () => {
  const f = await openRootFile(path.join(dataDir, 'cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root'));
  const t = await f.tree('Events');
  await rejectsUser(t.read(['HLT_IsoMu24']), /RNTuple 'Events'/, /no field 'HLT_IsoMu24'/, /HLT_IsoMu20/);
  await f.close();
});

for (const [file, fragment] of [
  ['uproot-HZZ-zlib.root', /ZL decompression failed|inflate|header|check/i],
  ['uproot-HZZ-lz4.root', /xxhash64 checksum mismatch/],
  ['uproot-HZZ-zstd.root', /ZS decompression failed/],
] as const) {
  test(`corrupt basket bytes in ${file} are reported with branch and basket`, async () => {
    const src = path.join(dataDir, file);
    const { seek, bytes } = await basketPosition(src, 'events', 'Muon_Px');
    const buf = Buffer.from(fs.readFileSync(src));
    // scribble over the middle of the compressed payload (past the 9-byte block header)
    const from = seek + bytes - Math.floor(bytes / 3);
    for (let i = 0; i < 16; i++) buf[from + i] = buf[from + i]! ^ 0x5a;
    const p = path.join(tmp, `corrupt-${file}`);
    fs.writeFileSync(p, buf);
    const f = await openRootFile(p);
    const t = await f.tree('events');
    await rejectsUser(t.read(['Muon_Px']), new RegExp(`corrupt-${file.replace('.', '\\.')}`), /branch 'Muon_Px'/, /basket 0/, fragment);
    await f.close();
  });
}

test('a basket header that does not match the metadata is reported', async () => {
  const src = path.join(dataDir, 'uproot-HZZ-uncompressed.root');
  const { seek } = await basketPosition(src, 'events', 'Muon_Px');
  const buf = Buffer.from(fs.readFileSync(src));
  buf.writeInt32BE(buf.readInt32BE(seek) + 7, seek); // fNbytes
  const p = path.join(tmp, 'badkey.root');
  fs.writeFileSync(p, buf);
  const f = await openRootFile(p);
  const t = await f.tree('events');
  await rejectsUser(t.read(['Muon_Px']), /badkey\.root/, /branch 'Muon_Px'/, /inconsistent basket header/);
  await f.close();
});

test('flow root exits non-zero with one line on stderr', () => {
  const node = process.execPath;
  const cases: Array<[string[], RegExp]> = [
    [['root', 'dump', path.join(tmp, 'nope.root'), '--tree', 'events'], /no such file/],
    [['root', 'dump', path.join(dataDir, 'uproot-HZZ.root'), '--tree', 'nope'], /no tree 'nope'/],
    [['root', 'dump', path.join(dataDir, 'uproot-HZZ.root'), '--tree', 'events', '--branches', 'Muon_Px,zzz'], /no branch 'zzz'/],
    [['root', 'ls', 'root://127.0.0.1:1//x.root'], /^flow: root:\/\/127\.0\.0\.1:1\/\/x\.root: cannot connect to 127\.0\.0\.1:1: ECONNREFUSED \(4 attempts\)$/m],
    [['root', 'dump'], /expected one FILE/],
  ];
  for (const [args, re] of cases) {
    const r = spawnSync(node, ['cli.ts', ...args], { cwd: root, encoding: 'utf8' });
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('random byte corruption gives a UserError or a successful read, never a crash', async () => {
  let seed = 20261125;
  const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; };
  for (const name of ['uproot-HZZ-zlib.root', 'uproot-HZZ-lz4.root', 'uproot-small-evnt-tree-fullsplit.root']) {
    const src = fs.readFileSync(path.join(dataDir, name));
    for (let trial = 0; trial < 12; trial++) {
      const buf = Buffer.from(src);
      for (let k = 0; k < 4; k++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      const p = path.join(tmp, `fuzz-${trial}-${name}`);
      fs.writeFileSync(p, buf);
      let f: Awaited<ReturnType<typeof openRootFile>> | undefined;
      try {
        f = await openRootFile(p);
        const key = f.keys().find((k) => k.className === 'TTree');
        if (key) {
          const t = await f.tree(key.path);
          await t.read(t.branches.filter((b) => b.supported).map((b) => b.name));
        }
      } catch (err) {
        assert.ok(err instanceof UserError, `${name} trial ${trial}: ${(err as Error).stack}`);
        assert.match(err.message, new RegExp(`fuzz-${trial}-`));
      } finally {
        await f?.close();
      }
    }
  }
});

test('concurrent opens leave the console as it was', async () => {
  const before = console.log;
  const files = await Promise.all(['uproot-HZZ.root', 'uproot-Zmumu.root', 'uproot-histograms.root'].map((n) => openRootFile(path.join(dataDir, n))));
  await Promise.all(files.map((f) => f.close()));
  assert.equal(console.log, before);
});

test('jsroot messages are held back while parsing, other logging is not', async () => {
  const src = fs.readFileSync(path.join(dataDir, 'uproot-HZZ-zlib.root'));
  const seen: string[] = [];
  const before = console.error;
  console.error = (...args: unknown[]) => { seen.push(args.map(String).join(' ')); };
  try {
    // corrupt the tail (keys list and streamers) so jsroot complains while parsing
    const buf = Buffer.from(src);
    for (let i = buf.length - 3000; i < buf.length - 2000; i += 7) buf[i] = buf[i]! ^ 0xa5;
    const p = path.join(tmp, 'noisy.root');
    fs.writeFileSync(p, buf);
    const timer = setInterval(() => console.error('other code'), 0);
    try {
      const f = await openRootFile(p).catch((e: unknown) => e);
      if (!(f instanceof Error)) {
        await (f as Awaited<ReturnType<typeof openRootFile>>).tree('events').then((t) => t.read(['Muon_Px'])).catch(() => undefined);
        await (f as Awaited<ReturnType<typeof openRootFile>>).close();
      }
      await new Promise((r) => setTimeout(r, 5));
    } finally {
      clearInterval(timer);
    }
  } finally {
    console.error = before;
  }
  assert.ok(seen.every((s) => s === 'other code'), seen.filter((s) => s !== 'other code').join('\n'));
  assert.ok(seen.length > 0);
});

// root:// against a real XRootD server (Debian's xrootd, started here on free ports exporting a
// temporary copy of ../shared/data/root): `flow root dump` of every file equals the local dump,
// over root:// and over XrdHttp; kXR_readv round trips; missing / forbidden / truncated files
// and directories as one-line errors naming the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as rootMain } from '../src/cli/root.ts';
import { openRootFile } from '../src/root/read/index.ts';
import { openSource } from '../src/root/read/source.ts';
import { XrootdSource } from '../src/root/read/source-xrootd.ts';
import { closeAllConnections, stat } from '../src/root/read/xrootd/client.ts';
import { parseXrdUrl } from '../src/root/read/xrootd/url.ts';
import { UserError } from '../src/errors.ts';
import { startXrootd, xrootdMissing, type XrootdServer } from './helpers/xrootd-server.ts';

const dataDir = join(import.meta.dirname, '../../shared/data/root');
const missing = xrootdMissing() ?? (existsSync(dataDir) ? undefined : 'no ../shared/data/root');
if (missing) console.log(`# skipping root:// tests: ${missing}`);
const files = missing ? [] : readdirSync(dataDir).filter((f) => f.endsWith('.root')).sort();

let srv: XrootdServer;
before(async () => {
  if (missing) return;
  srv = await startXrootd({ files: files.map((f) => join(dataDir, f)) });
});
after(async () => {
  await closeAllConnections();
  await srv?.stop();
});

/** What `flow root CMD ...` prints to stdout, or the UserError it throws. */
async function cli(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await rootMain(args);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

async function dumpOrError(location: string): Promise<string> {
  try {
    return await cli(['dump', location, '--json']);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return `error: ${err.message.replaceAll(location, 'FILE')}`;
  }
}

test('flow root dump over root:// and XrdHttp equals the local dump, every file in ../shared/data/root', { skip: missing }, async () => {
  assert.ok(files.length >= 20, `${files.length} files`);
  for (const f of files) {
    const local = await dumpOrError(join(dataDir, f));
    assert.equal(await dumpOrError(srv.url(`/${f}`)), local, `root:// ${f}`);
    if (srv.httpPort) assert.equal(await dumpOrError(srv.httpUrl(`/${f}`)), local, `XrdHttp ${f}`);
  }
  // the histogram-only file has no tree: the listing must agree too
  const ls = (s: string) => s.replace(/"file":"[^"]*"/, '');
  assert.equal(ls(await cli(['ls', srv.url('/uproot-histograms.root'), '--json'])), ls(await cli(['ls', join(dataDir, 'uproot-histograms.root'), '--json'])));
});

test('XrdHttp is part of the Debian build (libXrdHttp)', { skip: missing }, () => {
  assert.ok(srv.httpPort, 'libXrdHttp-5.so not found: the XrdHttp comparisons did not run');
});

test('NanoAOD columns over root:// equal the local ones; scattered ranges are one kXR_readv', { skip: missing }, async () => {
  const name = 'nanoAOD_2015_CMS_Open_Data_ttbar.root';
  const branches = ['nJet', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass', 'Muon_pt', 'Electron_pt'];
  const remote = await openRootFile(srv.url(`/${name}`));
  const local = await openRootFile(join(dataDir, name));
  assert.deepEqual(await (await remote.tree('Events')).read(branches), await (await local.tree('Events')).read(branches));
  await remote.close();
  await local.close();
  const xrd = await openSource(srv.url(`/${name}`)) as XrootdSource;
  assert.ok(xrd instanceof XrootdSource);
  const before = { ...xrd.counters };
  const ranges = [{ offset: 200_000, length: 5000 }, { offset: 0, length: 100 }, { offset: 300_000, length: 3 }];
  const got = await xrd.read(ranges);
  const bytes = readFileSync(join(dataDir, name));
  ranges.forEach((r, i) => assert.deepEqual(Buffer.from(got[i]!), bytes.subarray(r.offset, r.offset + r.length)));
  assert.equal(xrd.counters.readvRequests - before.readvRequests, 1);
  assert.equal(xrd.counters.requests - before.requests, 1);
  await xrd.close();
});

test('readv splits elements over the server limit and requests over 1024 elements', { skip: missing }, async () => {
  const bytes = Buffer.alloc(40 << 20);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(srv.dir, 'blob.bin'), bytes);
  chmodSync(join(srv.dir, 'blob.bin'), 0o644);
  const xrd = await openSource(srv.url('/blob.bin')) as XrootdSource;
  // 2100 ranges 17 kB apart (too far to merge): 3 requests of at most 1024 elements; one range
  // of 5 MB: three elements of at most 2 MB
  const ranges = Array.from({ length: 2100 }, (_, i) => ({ offset: i * 17_011, length: 7 }));
  ranges.push({ offset: 36_000_000, length: 5_000_000 });
  const before = xrd.counters.readvRequests;
  const got = await xrd.read(ranges);
  ranges.forEach((r, i) => assert.ok(Buffer.from(got[i]!).equals(bytes.subarray(r.offset, r.offset + r.length)), `range ${i}`));
  assert.equal(xrd.counters.readvRequests - before, 3);
  await xrd.close();
});

test('missing, forbidden, truncated files and a directory: one line naming the URL and the server error', { skip: missing }, async () => {
  copyFileSync(join(dataDir, 'uproot-HZZ.root'), join(srv.dir, 'forbidden.root'));
  chmodSync(join(srv.dir, 'forbidden.root'), 0o000);
  writeFileSync(join(srv.dir, 'truncated.root'), readFileSync(join(dataDir, 'uproot-HZZ.root')).subarray(0, 100_000));
  chmodSync(join(srv.dir, 'truncated.root'), 0o644);
  const cases: Array<[string, RegExp]> = [
    ['/nope.root', /^root:\/\/127\.0\.0\.1:\d+\/\/nope\.root: kXR_NotFound: .*no such file/],
    ['/forbidden.root', /^root:\/\/127\.0\.0\.1:\d+\/\/forbidden\.root: kXR_NotAuthorized: .*permission denied/],
    ['/truncated.root', /^root:\/\/127\.0\.0\.1:\d+\/\/truncated\.root: .*truncated/],
    ['/', /^root:\/\/127\.0\.0\.1:\d+\/\/: kXR_isDirectory/],
  ];
  for (const [path, re] of cases) {
    await assert.rejects(cli(['dump', srv.url(path), '--json']), (err: Error) => {
      assert.ok(err instanceof UserError, err.stack);
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, re);
      return true;
    });
  }
});

test('kXR_stat of a file and a directory', { skip: missing }, async () => {
  const st = await stat(parseXrdUrl(srv.url('/uproot-HZZ.root')));
  assert.equal(st.size, readFileSync(join(dataDir, 'uproot-HZZ.root')).length);
  assert.ok(st.flags & 16, `readable flag in ${st.flags}`);
  assert.ok(st.mtime > 1e9 && st.id !== '');
  assert.ok((await stat(parseXrdUrl(srv.url('/')))).flags & 2, 'directory flag');
  await assert.rejects(stat(parseXrdUrl(srv.url('/nope.root'))), /kXR_NotFound/);
});

test('roots:// and malformed URLs are refused in one line', async () => {
  await assert.rejects(openSource('roots://127.0.0.1//x.root'), /roots:\/\/ \(XRootD over TLS\) is not supported/);
  await assert.rejects(openSource('root://'), /not a root:\/\/ URL/);
});

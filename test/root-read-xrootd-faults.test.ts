// root:// faults against real servers: a redirector (xrootd + cmsd as manager) sending the client
// to its data server; a server killed in the middle of a read (an error naming the URL once the
// retries are spent, success when it comes back in time); a server that accepts and never
// answers (a timeout naming the URL). Every wait is bounded by the client's own timeouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';
import { openSource } from '../src/root/read/source.ts';
import type { XrootdSource } from '../src/root/read/source-xrootd.ts';
import { closeAllConnections } from '../src/root/read/xrootd/client.ts';
import { XrdFile } from '../src/root/read/xrootd/file.ts';
import { parseXrdUrl } from '../src/root/read/xrootd/url.ts';
import { UserError } from '../src/errors.ts';
import { startXrootd, startXrootdCluster, xrootdMissing, type XrootdServer } from './helpers/xrootd-server.ts';

const dataDir = join(import.meta.dirname, '../../shared/data/root');
const missing = xrootdMissing() ?? (existsSync(dataDir) ? undefined : 'no ../shared/data/root');
const nano = 'nanoAOD_2015_CMS_Open_Data_ttbar.root';
const branches = ['nJet', 'Jet_pt', 'Jet_eta', 'Muon_pt'];

process.env.HEPFLOW_XRD_BACKOFF_MS = '50';
let srv: XrootdServer;
let blob: Buffer;
before(async () => {
  if (missing) return;
  srv = await startXrootd({ files: [join(dataDir, nano)], http: false });
  blob = Buffer.alloc(24 << 20);
  for (let i = 0; i < blob.length; i += 4) blob.writeUInt32LE((i * 2246822519) >>> 0, i);
  writeFileSync(join(srv.dir, 'blob.bin'), blob);
  chmodSync(join(srv.dir, 'blob.bin'), 0o644);
});
after(async () => {
  await closeAllConnections();
  await srv?.stop();
});

function oneLine(err: unknown, re: RegExp): true {
  assert.ok(err instanceof UserError, (err as Error).stack);
  assert.doesNotMatch(err.message, /\n/);
  assert.match(err.message, re);
  return true;
}

test('a redirector (xrootd + cmsd, all.role manager) sends the client to the data server', { skip: missing }, async () => {
  const cluster = await startXrootdCluster([join(dataDir, nano)]);
  try {
    const file = await XrdFile.open(parseXrdUrl(cluster.url(`/${nano}`)), { timeoutMs: 30_000 });
    assert.equal(file.dataServer, `127.0.0.1:${cluster.dataPort}`);
    await file.close();
    const remote = await openRootFile(cluster.url(`/${nano}`));
    const local = await openRootFile(join(dataDir, nano));
    assert.deepEqual(await (await remote.tree('Events')).read(branches), await (await local.tree('Events')).read(branches));
    await remote.close();
    await local.close();
    // a redirect loop ends at the limit, naming the last hop
    await assert.rejects(XrdFile.open(parseXrdUrl(cluster.url(`/${nano}`)), { maxRedirects: 0 }), /more than 0 redirects \(last to 127\.0\.0\.1:\d+\)/);
  } finally {
    await cluster.stop();
  }
});

test('server killed mid-read: back in time, the read succeeds on a new connection', { skip: missing }, async () => {
  const src = await openSource(srv.url('/blob.bin'), { retries: 8 }) as XrootdSource;
  const ranges = Array.from({ length: 40 }, (_, i) => ({ offset: i * 600_000, length: 500_000 }));
  const reading = src.read(ranges);
  srv.child.kill('SIGKILL'); // the readv answer (20 MB) is in flight
  await new Promise((r) => setTimeout(r, 100));
  await srv.restart();
  const got = await reading;
  ranges.forEach((r, i) => assert.ok(Buffer.from(got[i]!).equals(blob.subarray(r.offset, r.offset + r.length)), `range ${i}`));
  await src.close();
});

test('a file replaced while the server was down: the re-open notices, one line', { skip: missing }, async () => {
  const url = srv.url('/blob.bin');
  const src = await openSource(url, { retries: 4 });
  await src.read([{ offset: 0, length: 1000 }]);
  srv.child.kill('SIGKILL');
  writeFileSync(join(srv.dir, 'blob.bin'), blob.subarray(0, 12 << 20));
  await srv.restart();
  await assert.rejects(src.read([{ offset: 2000, length: 1000 }]), (err) => oneLine(err, /blob\.bin: kXR_FSError: file changed on the server while being read \(size 25165824 -> 12582912\)/));
  await src.close();
});

test('server killed and gone: one line naming the URL after the retries', { skip: missing }, async () => {
  const url = srv.url('/blob.bin');
  const src = await openSource(url, { retries: 2 });
  await src.read([{ offset: 0, length: 1000 }]);
  await srv.stop().catch(() => undefined); // also removes the exported directory: last use of srv
  await assert.rejects(src.read([{ offset: 5000, length: 1000 }, { offset: 9_000_000, length: 10 }]),
    (err) => oneLine(err, new RegExp(`^${url.replace(/[/.]/g, '\\$&')}: .*(closed|cannot connect).*\\(3 attempts\\)$`)));
  await src.close();
});

test('a server that accepts and never answers: a timeout naming the URL', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const url = `root://127.0.0.1:${port}//store/x.root`;
  try {
    await assert.rejects(openRootFile(url, { timeoutMs: 300, retries: 1 }), (err) =>
      oneLine(err, new RegExp(`^root://127\\.0\\.0\\.1:${port}//store/x\\.root: no answer from 127\\.0\\.0\\.1:${port} within 300 ms \\(2 attempts\\)$`)));
    assert.equal(sockets.length, 2, 'one connection per attempt');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('a refused connection: one line naming the URL', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await assert.rejects(openRootFile(`root://127.0.0.1:${port}//x.root`, { retries: 1 }), (err) =>
    oneLine(err, new RegExp(`^root://127\\.0\\.0\\.1:${port}//x\\.root: cannot connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(2 attempts\\)$`)));
});


test('a server that requires authentication (sec.protocol unix): kXR_auth with unix credentials', { skip: missing }, async () => {
  const secure = await startXrootd({
    files: [join(dataDir, nano)], http: false,
    extraConfig: ['xrootd.seclib libXrdSec.so', 'sec.protocol unix', 'sec.protbind * only unix'],
  });
  try {
    const url = secure.url(`/${nano}`);
    await assert.rejects(XrdFile.open(parseXrdUrl(url), { auth: [] }), /kXR_AuthFailed: server requires authentication by unix; this client has none/);
    const [f, local] = [await openRootFile(url), await openRootFile(join(dataDir, nano))];
    assert.deepEqual(await (await f.tree('Events')).read(['nJet']), await (await local.tree('Events')).read(['nJet']));
    await f.close();
    await local.close();
  } finally {
    await secure.stop();
  }
});

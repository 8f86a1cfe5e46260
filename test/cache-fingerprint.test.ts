// Input fingerprints: local (stat + content sha256, checked against coreutils' sha256sum on a real
// ROOT file), memoisation of content hashes, and HTTP HEAD fingerprints against a local server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { contentHash, fingerprint, fingerprintLocal, fingerprintUrl, FingerprintError } from '../cache/fingerprint.ts';
import { openStore } from '../cache/store.ts';

const ROOT_FILE = resolve(import.meta.dirname, '../../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root');

test('local fingerprint: absolute path, size, mtime; content sha256 equals sha256sum', async () => {
  const rel = relative(process.cwd(), ROOT_FILE);
  const fp = await fingerprintLocal(rel, { content: true });
  const st = statSync(ROOT_FILE);
  assert.equal(fp.path, ROOT_FILE);
  assert.equal(fp.size, st.size);
  assert.equal(fp.mtimeMs, st.mtimeMs);
  const reference = execFileSync('sha256sum', [ROOT_FILE], { encoding: 'utf8' }).split(/\s+/)[0];
  assert.equal(fp.sha256, reference);
  assert.equal((await fingerprintLocal(ROOT_FILE)).sha256, undefined, 'content hash only on demand');
  assert.equal((await fingerprint(`file://${ROOT_FILE}`)).size, st.size);
  await assert.rejects(fingerprint('gsiftp://eospublic.cern.ch//eos/f.root'), /unsupported URL scheme 'gsiftp:'/); // root:// is fingerprinted over XRootD (test/root-read-xrootd-agc.test.ts)
  await assert.rejects(fingerprint(join(tmpdir(), 'no-such-file.root')), (err: unknown) => err instanceof FingerprintError && /no-such-file\.root: no such file/.test(err.message));
});

test('content hashes are memoised by path + size + mtime in the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-fp-'));
  const store = await openStore(join(dir, 'cache'));
  try {
    const memo = store.memo!('content-sha256');
    const file = join(dir, 'input.bin');
    writeFileSync(file, 'first content');
    const t = new Date('2024-01-01T00:00:00Z');
    utimesSync(file, t, t);
    const first = await contentHash(file, memo);
    assert.equal(first, execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(/\s+/)[0]);

    // same size and mtime: the memo answers without reading the file (proof: it returns the old hash)
    writeFileSync(file, 'other content');
    utimesSync(file, t, t);
    assert.equal(await contentHash(file, memo), first);
    assert.notEqual(await contentHash(file), first, 'without the memo the file is read');

    // a new mtime invalidates the memo
    const t2 = new Date('2024-01-02T00:00:00Z');
    utimesSync(file, t2, t2);
    assert.equal(await contentHash(file, memo), execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(/\s+/)[0]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('URL fingerprint from one HEAD request: size, ETag, Last-Modified; HTTP errors and timeouts name the URL', async () => {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    methods.push(`${req.method} ${req.url}`);
    if (req.url === '/file.root') {
      res.writeHead(200, { 'content-length': '377623', etag: '"abc123"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' });
      res.end();
    } else if (req.url === '/nohead.root' && req.method === 'HEAD') {
      res.writeHead(405);
      res.end();
    } else if (req.url === '/nohead.root') {
      res.writeHead(206, { 'content-range': 'bytes 0-0/5000', 'content-length': '1' });
      res.end('x');
    } else if (req.url === '/slow.root') {
      // never answers
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    assert.deepEqual(await fingerprintUrl(`${base}/file.root`), {
      kind: 'https',
      url: `${base}/file.root`,
      size: 377623,
      etag: '"abc123"',
      lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
    });
    assert.deepEqual(methods, ['HEAD /file.root']);
    assert.equal((await fingerprint(`${base}/nohead.root`)).size, 5000);
    await assert.rejects(fingerprintUrl(`${base}/missing.root`), (err: unknown) => err instanceof FingerprintError && err.message.includes(`${base}/missing.root: HTTP 404`));
    await assert.rejects(fingerprintUrl(`${base}/slow.root`, { timeoutMs: 200 }), /slow\.root: no answer within 200 ms/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

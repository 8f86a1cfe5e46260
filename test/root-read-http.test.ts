// Reading over HTTP range requests from a local server: same columns as the local file, few
// requests, a retry after a dropped connection, servers without Range support, 404.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { openRootFile } from '../src/root/read/index.ts';
import { UserError } from '../src/errors.ts';
import { isJagged, type ColumnBatch } from '../src/columns.ts';

const dataDir = path.resolve(import.meta.dirname, '../../shared/data/root');
const fileName = 'uproot-HZZ-zlib.root';
const bytes = fs.readFileSync(path.join(dataDir, fileName));

let requests = 0;
let dropNext = 0;
let ignoreRange = false;

const server = http.createServer((req, res) => {
  requests++;
  if (dropNext > 0) {
    dropNext--;
    req.socket.destroy(); // the connection dies before any response
    return;
  }
  if (req.url !== `/${fileName}`) {
    res.writeHead(404).end('not found');
    return;
  }
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (!m || ignoreRange) {
    res.writeHead(200, { 'Content-Length': bytes.length }).end(bytes);
    return;
  }
  const a = Number(m[1]), b = Math.min(Number(m[2]), bytes.length - 1);
  if (a >= bytes.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
    return;
  }
  res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${bytes.length}`, 'Content-Length': b - a + 1 }).end(bytes.subarray(a, b + 1));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

async function readAll(location: string): Promise<ColumnBatch> {
  const f = await openRootFile(location, { retries: 3 });
  const t = await f.tree('events');
  const batch = await t.read(t.branches.filter((b) => b.supported).map((b) => b.name));
  await f.close();
  return batch;
}

function same(a: ColumnBatch, b: ColumnBatch): void {
  assert.equal(a.entries, b.entries);
  assert.deepEqual(Object.keys(a.columns), Object.keys(b.columns));
  for (const [name, c] of Object.entries(a.columns)) {
    const d = b.columns[name]!;
    if (isJagged(c)) {
      assert.ok(isJagged(d));
      assert.deepEqual(c.offsets, d.offsets, name);
      assert.deepEqual(c.content, d.content, name);
    } else assert.deepEqual(c, d, name);
  }
}

const local = await readAll(path.join(dataDir, fileName));

test('an http URL reads the same columns as the local file, in few requests', async () => {
  requests = 0;
  same(await readAll(`${base}/${fileName}`), local);
  // metadata (a handful of jsroot reads) plus the baskets of 51 branches coalesced
  assert.ok(requests <= 20, `${requests} requests`);
});

test('a dropped connection is retried', async () => {
  dropNext = 1;
  requests = 0;
  same(await readAll(`${base}/${fileName}`), local);
  assert.equal(dropNext, 0);
});

test('a server that ignores Range still works', async () => {
  ignoreRange = true;
  try {
    same(await readAll(`${base}/${fileName}`), local);
  } finally {
    ignoreRange = false;
  }
});

test('404 names the URL', async () => {
  await assert.rejects(openRootFile(`${base}/missing.root`), (e: unknown) => e instanceof UserError && e.message.includes(`${base}/missing.root`) && /404/.test(e.message));
});

test('a server that keeps failing gives up with the URL and the reason', async () => {
  dropNext = 100;
  try {
    await assert.rejects(openRootFile(`${base}/${fileName}`, { retries: 1 }), (e: unknown) => e instanceof UserError && e.message.includes(base) && /after 2 attempts/.test(e.message));
  } finally {
    dropNext = 0;
  }
});

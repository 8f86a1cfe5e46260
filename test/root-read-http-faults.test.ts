// A misbehaving HTTP server (raw sockets, so it can break the protocol): a connection dropped mid-
// body, a Content-Length longer or shorter than the body, a body that stalls. Each range request is
// retried as a whole until its last byte arrives; a server that never recovers gives one line
// naming the URL, the range and the cause. Bounded: small timeouts, few attempts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { openRootFile } from '../src/root/read/index.ts';
import { UserError } from '../src/errors.ts';

const file = fs.readFileSync(path.resolve(import.meta.dirname, '../../shared/data/root/uproot-HZZ-zlib.root'));

type Fault = 'drop-mid-body' | 'content-length-long' | 'content-length-short' | 'stall-mid-body';
let fault: Fault | undefined;
let faultsLeft = 0; // requests (after the size probe) that misbehave; Infinity: all of them
let rangeRequests = 0;

const sockets = new Set<net.Socket>();
const server = net.createServer((sock) => {
  sockets.add(sock);
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => {});
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    let end: number;
    while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
      const head = buf.slice(0, end);
      buf = buf.slice(end + 4);
      respond(sock, head);
    }
  });
});

function respond(sock: net.Socket, head: string): void {
  const m = /\r\nrange: bytes=(\d+)-(\d+)/i.exec(head);
  const a = Number(m?.[1] ?? 0), b = Math.min(Number(m?.[2] ?? file.length - 1), file.length - 1);
  const body = file.subarray(a, b + 1);
  const header = (len: number) => `HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${file.length}\r\nContent-Length: ${len}\r\nConnection: close\r\n\r\n`;
  const isProbe = a === 0 && b === 0;
  if (!isProbe) rangeRequests++;
  if (isProbe || !fault || faultsLeft <= 0) {
    sock.end(Buffer.concat([Buffer.from(header(body.length), 'latin1'), body]));
    return;
  }
  faultsLeft--;
  const half = body.subarray(0, body.length >> 1);
  if (fault === 'drop-mid-body') {
    sock.write(header(body.length), 'latin1');
    sock.write(half, () => sock.destroy());
  } else if (fault === 'content-length-long') {
    sock.end(Buffer.concat([Buffer.from(header(body.length + 100), 'latin1'), body]));
  } else if (fault === 'content-length-short') {
    sock.end(Buffer.concat([Buffer.from(header(body.length >> 1), 'latin1'), body]));
  } else {
    sock.write(header(body.length), 'latin1');
    sock.write(half); // and nothing more: the client's timeout must end it
  }
}

await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hzz.root`;
after(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

async function readBranches(retries: number): Promise<Float32Array> {
  const f = await openRootFile(url, { retries, timeoutMs: 400 });
  try {
    const t = await f.tree('events');
    const batch = await t.read(['MET_px']);
    return batch.columns.MET_px as Float32Array;
  } finally {
    await f.close();
  }
}

const local = await (async () => {
  const f = await openRootFile(path.resolve(import.meta.dirname, '../../shared/data/root/uproot-HZZ-zlib.root'));
  const t = await f.tree('events');
  const v = (await t.read(['MET_px'])).columns.MET_px as Float32Array;
  await f.close();
  return v;
})();

const faults: Fault[] = ['drop-mid-body', 'content-length-long', 'content-length-short', 'stall-mid-body'];

test('every kind of mid-body failure is retried until the whole range arrived: same values as the local file', async () => {
  for (const f of faults) {
    fault = f;
    faultsLeft = 2; // the first two range requests fail, the third attempt succeeds
    const got = await readBranches(3);
    assert.deepEqual(Array.from(got), Array.from(local), f);
    assert.equal(faultsLeft, 0, `${f}: the faults were served`);
  }
});

test('a server that never recovers: one line naming URL, range and cause after the last attempt', async () => {
  const causes: Record<Fault, RegExp> = {
    'drop-mid-body': /terminated|other side closed|socket/i,
    'content-length-long': /terminated|other side closed|socket/i,
    'content-length-short': /the response had \d+ bytes instead of \d+/,
    'stall-mid-body': /no complete answer within 400 ms/,
  };
  for (const f of faults) {
    fault = f;
    faultsLeft = Infinity;
    rangeRequests = 0;
    await assert.rejects(readBranches(2), (err: Error) => {
      assert.ok(err instanceof UserError, `${f}: ${err.stack}`);
      assert.ok(!err.message.includes('\n'), err.message);
      assert.match(err.message, new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: range bytes=\\d+-\\d+ failed after 3 attempts: `), f);
      assert.match(err.message, causes[f], f);
      return true;
    });
    assert.equal(rangeRequests, 3, `${f}: 1 + 2 retries`);
  }
  fault = undefined;
});

// XRootD answers a real server rarely gives on demand, from a scripted server of our own: kXR_wait
// (send again later), kXR_waitresp + kXR_attn asynresp (the answer comes unsolicited), data in
// kXR_oksofar parts, concurrent requests answered out of order on one connection, a redirect,
// and the URL / redirect / stat parsing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { closeAllConnections, parseRedirect, parseStat } from '../src/root/read/xrootd/client.ts';
import { XrdFile } from '../src/root/read/xrootd/file.ts';
import { parseXrdUrl, formatXrdUrl } from '../src/root/read/xrootd/url.ts';
import { REQ, STATUS, ATTN_ASYNRESP } from '../src/root/read/xrootd/protocol.ts';

const content = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));

function frame(sid: number, status: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sid, 0);
  h.writeUInt16BE(status, 2);
  h.writeInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

interface Script {
  /** requests seen, by id */
  seen: number[];
  redirectTo?: number;
}

/** A server speaking just enough XRootD, with the odd answers scripted. */
async function scriptedServer(script: Script): Promise<{ port: number; close(): void }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    let buf = Buffer.alloc(0);
    let handshake = false;
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!handshake && buf.length >= 20) {
        handshake = true;
        buf = buf.subarray(20);
        const b = Buffer.alloc(8);
        b.writeInt32BE(0x500, 0);
        b.writeInt32BE(1, 4);
        s.write(frame(0, 0, b));
      }
      while (handshake && buf.length >= 24 && buf.length >= 24 + buf.readInt32BE(20)) {
        const sid = buf.readUInt16BE(0), req = buf.readUInt16BE(2), params = buf.subarray(4, 20), dlen = buf.readInt32BE(20);
        buf = buf.subarray(24 + dlen);
        script.seen.push(req);
        answer(s, sid, req, Buffer.from(params));
      }
    });
  });
  function answer(s: Socket, sid: number, req: number, params: Buffer): void {
    if (req === REQ.protocol) return void s.write(frame(sid, STATUS.ok, Buffer.from([0, 0, 5, 0, 0, 0, 0, 1])));
    if (req === REQ.login) return void s.write(frame(sid, STATUS.ok, Buffer.alloc(16)));
    if (req === REQ.open) {
      if (script.redirectTo) {
        const b = Buffer.alloc(4 + 9);
        b.writeInt32BE(script.redirectTo, 0);
        b.write('127.0.0.1', 4);
        return void s.write(frame(sid, STATUS.redirect, b));
      }
      if (script.seen.filter((r) => r === REQ.open).length === 1) {
        const w = Buffer.alloc(4 + 5);
        w.write('busy\0', 4);
        return void s.write(frame(sid, STATUS.wait, w)); // 0 s: send again now
      }
      s.write(frame(sid, STATUS.waitresp, Buffer.from([0, 0, 0, 1])));
      const okBody = Buffer.concat([Buffer.from([1, 2, 3, 4]), Buffer.alloc(8), Buffer.from(`42 ${content.length} 16 1700000000\0`)]);
      const inner = frame(sid, STATUS.ok, okBody);
      const attn = Buffer.alloc(8);
      attn.writeInt32BE(ATTN_ASYNRESP, 0);
      setTimeout(() => s.write(frame(0, STATUS.attn, Buffer.concat([attn, inner]))), 20);
      return;
    }
    if (req === REQ.read) {
      const off = Number(params.readBigInt64BE(4)), len = params.readInt32BE(12);
      const data = content.subarray(off, off + len);
      const third = Math.floor(data.length / 3);
      // answers to later requests first: the stream id routes them
      setTimeout(() => {
        s.write(frame(sid, STATUS.oksofar, data.subarray(0, third)));
        s.write(frame(sid, STATUS.oksofar, data.subarray(third, 2 * third)));
        s.write(frame(sid, STATUS.ok, data.subarray(2 * third)));
      }, off === 0 ? 30 : 0);
      return;
    }
    if (req === REQ.close) return void s.write(frame(sid, STATUS.ok, Buffer.alloc(0)));
    const e = Buffer.alloc(4 + 12);
    e.writeInt32BE(3013, 0);
    e.write('unsupported', 4);
    s.write(frame(sid, STATUS.error, e));
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

after(() => closeAllConnections());

test('kXR_wait, kXR_waitresp + asynresp, kXR_oksofar and out-of-order answers on one connection', async () => {
  const script: Script = { seen: [] };
  const srv = await scriptedServer(script);
  try {
    const f = await XrdFile.open(parseXrdUrl(`root://127.0.0.1:${srv.port}//f.root`), { timeoutMs: 2000 });
    assert.deepEqual(f.stat, { id: '42', size: content.length, flags: 16, mtime: 1700000000 });
    assert.equal(script.seen.filter((r) => r === REQ.open).length, 2, 'the open was sent again after kXR_wait');
    const [a, b] = await Promise.all([f.read(0, 1000), f.read(1000, 3000)]);
    assert.ok(a.equals(content.subarray(0, 1000)));
    assert.ok(b.equals(content.subarray(1000, 4000)));
    await f.close();
  } finally {
    srv.close();
  }
});

test('a redirect loop stops at the limit, naming the last hop', async () => {
  const script: Script = { seen: [] };
  const srv = await scriptedServer(script);
  script.redirectTo = srv.port; // redirects to itself
  try {
    await assert.rejects(XrdFile.open(parseXrdUrl(`root://127.0.0.1:${srv.port}//f.root`), { timeoutMs: 2000, maxRedirects: 3 }),
      new RegExp(`more than 3 redirects \\(last to 127\\.0\\.0\\.1:${srv.port}\\)`));
    assert.equal(script.seen.filter((r) => r === REQ.open).length, 4);
  } finally {
    srv.close();
  }
});

test('root:// URLs, redirect bodies and stat answers parse as the protocol writes them', () => {
  assert.deepEqual(parseXrdUrl('root://eospublic.cern.ch//eos/opendata/f.root'), { host: 'eospublic.cern.ch', port: 1094, path: '/eos/opendata/f.root', cgi: '' });
  assert.deepEqual(parseXrdUrl('root://user@xcache:1095/store/f.root?authz=abc'), { host: 'xcache', port: 1095, path: '/store/f.root', cgi: 'authz=abc' });
  assert.deepEqual(parseXrdUrl('xroot://[::1]:2000//a'), { host: '::1', port: 2000, path: '/a', cgi: '' });
  assert.equal(formatXrdUrl(parseXrdUrl('root://h//a/b.root?x=1')), 'root://h:1094//a/b.root?x=1');
  const body = (port: number, text: string) => Buffer.concat([Buffer.from([port >> 24, port >> 16, port >> 8, port].map((x) => x & 0xff)), Buffer.from(text)]);
  assert.deepEqual(parseRedirect(body(1094, 'data01.cern.ch?tried=x')), { host: 'data01.cern.ch', port: 1094, cgi: 'tried=x' });
  assert.deepEqual(parseRedirect(body(-1, 'root://data02:1095//store/f.root?a=b')), { host: 'data02', port: 1095, path: '/store/f.root', cgi: 'a=b' });
  assert.deepEqual(parseStat('9259150626323968 217945 16 1796592046\0'), { id: '9259150626323968', size: 217945, flags: 16, mtime: 1796592046 });
});

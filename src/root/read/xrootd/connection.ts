// One TCP connection to an XRootD server: handshake, kXR_protocol, kXR_login (+ kXR_auth), then
// requests multiplexed by 16-bit stream id. Responses are framed here: kXR_oksofar parts are
// joined, kXR_wait re-sends after the server's delay, kXR_waitresp waits for the kXR_attn
// (asynresp) that carries the real answer. kXR_ok, kXR_redirect and kXR_authmore resolve (the
// caller acts on a redirect); kXR_error rejects with the server's code and text. A request
// without an answer in time, or a dropped socket, fails every pending request with an
// XrdTransportError and closes the connection (the pool opens a new one).
import { connect, type Socket } from 'node:net';
import { authenticate, parseSecurityOffer, type XrdAuthProtocol } from './auth.ts';
import { XrdClientError, XrdServerError, XrdTransportError } from './errors.ts';
import {
  ATTN_ASYNRESP, CLIENT_PROTOCOL_VERSION, LOGIN_CAPVER, QUERY_CONFIG, READV_MAX_ELEMENT_BYTES, READV_MAX_ELEMENTS,
  REQ, RESPONSE_HEADER, STATUS, bodyText, encodeRequest, handshakeBytes,
} from './protocol.ts';

export interface Reply {
  /** STATUS.ok, STATUS.redirect or STATUS.authmore. */
  status: number;
  body: Buffer;
}

export interface ConnectionOptions {
  /** Milliseconds for connecting and for each request's answer (progress resets it). */
  timeoutMs: number;
  /** Longest kXR_wait honoured; a longer one fails the request (default 60 s). */
  maxWaitMs?: number;
  /** Security protocols offered to a server that asks for authentication. */
  auth?: readonly XrdAuthProtocol[];
  /** Login name (8 bytes at most are sent). */
  user?: string;
}

interface Pending {
  request: Buffer;
  parts: Buffer[];
  waits: number;
  timer: NodeJS.Timeout | undefined;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

export interface ReadvLimits {
  elements: number;
  elementBytes: number;
}

const MAX_WAITS = 10;

export class XrdConnection {
  readonly address: string;
  /** kXR_protocol flags (kXR_isManager = 2, kXR_isServer = 1). */
  serverFlags = 0;
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private nextStreamId = 1;
  private chunks: Buffer[] = [];
  private have = 0;
  private frame: { sid: number; status: number; dlen: number } | undefined;
  private closedBy: Error | undefined;
  private limits: Promise<ReadvLimits> | undefined;

  readonly host: string;
  readonly port: number;
  private readonly opts: ConnectionOptions;

  private constructor(host: string, port: number, opts: ConnectionOptions, socket: Socket) {
    this.host = host;
    this.port = port;
    this.opts = opts;
    this.address = `${host}:${port}`;
    this.socket = socket;
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', (e) => this.fail(new XrdTransportError(`connection to ${this.address} failed: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new XrdTransportError(`connection to ${this.address} closed by the server`)));
  }

  /** Connects, shakes hands and logs in. */
  static async open(host: string, port: number, opts: ConnectionOptions): Promise<XrdConnection> {
    const socket = await openSocket(host, port, opts.timeoutMs);
    const c = new XrdConnection(host, port, opts, socket);
    try {
      await c.start();
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  get alive(): boolean {
    return this.closedBy === undefined;
  }

  private async start(): Promise<void> {
    // The handshake answer is an ordinary frame on stream 0 (protocol version, server kind).
    const [, pr] = await Promise.all([
      this.send(0, handshakeBytes()),
      this.request(REQ.protocol, (p) => p.writeInt32BE(CLIENT_PROTOCOL_VERSION, 0)),
    ]);
    if (pr.body.length >= 8) this.serverFlags = pr.body.readInt32BE(4);
    const user = Buffer.alloc(8);
    user.write((this.opts.user ?? 'hepflow').slice(0, 8), 'latin1');
    const login = await this.request(REQ.login, (p) => {
      p.writeInt32BE(process.pid, 0);
      user.copy(p, 4);
      p[14] = LOGIN_CAPVER;
    });
    const offer = login.body.length > 16 ? bodyText(login.body, 16) : '';
    if (offer) await authenticate(this, parseSecurityOffer(offer), this.opts.auth ?? []);
  }

  /** Sends one request and resolves with its complete answer. */
  request(requestId: number, params: (p: Buffer) => void, data?: Uint8Array): Promise<Reply> {
    const sid = this.allocateStreamId();
    return this.send(sid, encodeRequest(sid, requestId, params, data));
  }

  /** kXR_query config for the readv limits, once per connection; protocol defaults otherwise. */
  readvLimits(): Promise<ReadvLimits> {
    this.limits ??= this.request(REQ.query, (p) => p.writeUInt16BE(QUERY_CONFIG, 0), Buffer.from('readv_iov_max readv_ior_max'))
      .then((r) => {
        const [iov, ior] = r.body.toString('latin1').split('\n').map((s) => Number(s.replace(/\0/g, '')));
        return {
          elements: Number.isInteger(iov) && iov! > 0 ? Math.min(iov!, READV_MAX_ELEMENTS) : READV_MAX_ELEMENTS,
          elementBytes: Number.isInteger(ior) && ior! > 0 ? Math.min(ior!, READV_MAX_ELEMENT_BYTES) : READV_MAX_ELEMENT_BYTES,
        };
      }, (err) => {
        if (err instanceof XrdServerError) return { elements: READV_MAX_ELEMENTS, elementBytes: READV_MAX_ELEMENT_BYTES };
        throw err;
      });
    return this.limits;
  }

  close(): void {
    this.fail(new XrdTransportError(`connection to ${this.address} closed`));
  }

  private allocateStreamId(): number {
    if (this.pending.size >= 0xfffe) throw new XrdTransportError(`${this.address}: too many requests in flight`);
    while (this.pending.has(this.nextStreamId) || this.nextStreamId === 0) this.nextStreamId = (this.nextStreamId + 1) & 0xffff;
    const sid = this.nextStreamId;
    this.nextStreamId = (sid + 1) & 0xffff;
    return sid;
  }

  private send(sid: number, bytes: Buffer): Promise<Reply> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise<Reply>((resolve, reject) => {
      const p: Pending = { request: bytes, parts: [], waits: 0, timer: undefined, resolve, reject };
      this.pending.set(sid, p);
      this.socket.ref();
      this.arm(p, this.opts.timeoutMs);
      this.socket.write(bytes);
    });
  }

  private arm(p: Pending, ms: number): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => this.fail(new XrdTransportError(`no answer from ${this.address} within ${this.opts.timeoutMs} ms`, { timeout: true })), ms);
  }

  private fail(err: Error): void {
    if (this.closedBy) return;
    this.closedBy = err;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  /** An idle connection does not keep the process alive. */
  private done(sid: number, p: Pending): void {
    this.pending.delete(sid);
    if (p.timer) clearTimeout(p.timer);
    if (this.pending.size === 0) this.socket.unref();
  }

  private onData(b: Buffer): void {
    this.chunks.push(b);
    this.have += b.length;
    for (;;) {
      if (!this.frame) {
        if (this.have < RESPONSE_HEADER) return;
        const h = this.take(RESPONSE_HEADER);
        this.frame = { sid: h.readUInt16BE(0), status: h.readUInt16BE(2), dlen: h.readInt32BE(4) };
      }
      if (this.have < this.frame.dlen) {
        const p = this.pending.get(this.frame.sid);
        if (p) this.arm(p, this.opts.timeoutMs); // a large answer still arriving is progress
        return;
      }
      const { sid, status, dlen } = this.frame;
      this.frame = undefined;
      this.onFrame(sid, status, this.take(dlen));
      if (this.closedBy) return;
    }
  }

  /** The next `n` buffered bytes: a view when they lie in one socket chunk, else one copy. */
  private take(n: number): Buffer {
    this.have -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first!.length >= n) {
      if (first!.length === n) this.chunks.shift();
      else this.chunks[0] = first!.subarray(n);
      return first!.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private onFrame(sid: number, status: number, body: Buffer): void {
    if (status === STATUS.attn) {
      if (body.length >= 16 && body.readInt32BE(0) === ATTN_ASYNRESP) {
        const inner = body.subarray(8);
        this.onFrame(inner.readUInt16BE(0), inner.readUInt16BE(2), inner.subarray(RESPONSE_HEADER, RESPONSE_HEADER + inner.readInt32BE(4)));
      }
      return; // other unsolicited messages (kXR_asyncms, ...) carry nothing we act on
    }
    const p = this.pending.get(sid);
    if (!p) return;
    switch (status) {
      case STATUS.oksofar:
        p.parts.push(body);
        this.arm(p, this.opts.timeoutMs);
        return;
      case STATUS.wait:
        return this.onWait(sid, p, body);
      case STATUS.waitresp:
        this.arm(p, Math.max(body.length >= 4 ? body.readInt32BE(0) * 1000 : 0, 0) + this.opts.timeoutMs);
        return;
    }
    this.done(sid, p);
    if (status === STATUS.error) {
      p.reject(new XrdServerError(body.length >= 4 ? body.readInt32BE(0) : 0, bodyText(body, 4)));
    } else if (status === STATUS.ok || status === STATUS.redirect || status === STATUS.authmore) {
      p.resolve({ status, body: p.parts.length ? Buffer.concat([...p.parts, body]) : body });
    } else {
      p.reject(new XrdTransportError(`${this.address}: unexpected response status ${status}`));
    }
  }

  /** kXR_wait: the server asks to send the same request again after some seconds. */
  private onWait(sid: number, p: Pending, body: Buffer): void {
    const seconds = body.length >= 4 ? body.readInt32BE(0) : 1;
    const maxWait = this.opts.maxWaitMs ?? 60_000;
    if (++p.waits > MAX_WAITS || seconds * 1000 > maxWait) {
      this.done(sid, p);
      p.reject(new XrdTransportError(`${this.address} asked to wait ${seconds} s (${p.waits} times): ${bodyText(body, 4) || 'no reason given'}`));
      return;
    }
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.closedBy || this.pending.get(sid) !== p) return;
      p.parts = [];
      this.arm(p, this.opts.timeoutMs);
      this.socket.write(p.request);
    }, Math.max(seconds, 0) * 1000);
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new XrdTransportError(`cannot connect to ${host}:${port}: no answer within ${timeoutMs} ms`, { timeout: true }));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      const code = (e as NodeJS.ErrnoException).code;
      // a name that does not resolve will not resolve a second later: no retry
      if (code === 'ENOTFOUND') reject(new XrdClientError(`cannot connect to ${host}:${port}: unknown host (ENOTFOUND)`, { cause: e }));
      else reject(new XrdTransportError(`cannot connect to ${host}:${port}: ${code ?? e.message}`, { cause: e }));
    });
  });
}

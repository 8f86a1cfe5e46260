// XRootD wire protocol: request ids, response status codes, error names, option bits and the
// fixed 24-byte request / 8-byte response headers (all integers big-endian). Values from the
// XRootD protocol specification (XProtocol.hh).

export const REQ = {
  auth: 3000,
  query: 3001,
  close: 3003,
  dirlist: 3004,
  protocol: 3006,
  login: 3007,
  open: 3010,
  ping: 3011,
  read: 3013,
  stat: 3017,
  readv: 3025,
} as const;

export const STATUS = {
  ok: 0,
  oksofar: 4000,
  attn: 4001,
  authmore: 4002,
  error: 4003,
  redirect: 4004,
  wait: 4005,
  waitresp: 4006,
  status: 4007,
} as const;

/** kXR_attn action code carrying the deferred answer to a kXR_waitresp. */
export const ATTN_ASYNRESP = 5008;

/** kXR_open options. */
export const OPEN_READ = 16;
export const OPEN_RETSTAT = 1024;

/** kXR_stat response flags. */
export const STAT_IS_DIR = 2;
export const STAT_OTHER = 4;
export const STAT_OFFLINE = 8;

/** kXR_query info type for configuration values (e.g. readv limits). */
export const QUERY_CONFIG = 7;

/** The protocol version we speak (5.0.0: no TLS asked for). */
export const CLIENT_PROTOCOL_VERSION = 0x00000500;
/** kXR_login capver: the 2011+ client (kXR_ver003) with async response support (kXR_asyncap). */
export const LOGIN_CAPVER = 128 | 3;

/** Protocol-wide readv limits (XrdProto::maxRvecsz, maxRVdsz); servers may report lower ones. */
export const READV_MAX_ELEMENTS = 1024;
export const READV_MAX_ELEMENT_BYTES = 2097136;
export const READV_ELEMENT_HEADER = 16;

const ERROR_NAMES: Record<number, string> = {
  3000: 'kXR_ArgInvalid', 3001: 'kXR_ArgMissing', 3002: 'kXR_ArgTooLong', 3003: 'kXR_FileLocked',
  3004: 'kXR_FileNotOpen', 3005: 'kXR_FSError', 3006: 'kXR_InvalidRequest', 3007: 'kXR_IOError',
  3008: 'kXR_NoMemory', 3009: 'kXR_NoSpace', 3010: 'kXR_NotAuthorized', 3011: 'kXR_NotFound',
  3012: 'kXR_ServerError', 3013: 'kXR_Unsupported', 3014: 'kXR_noserver', 3015: 'kXR_NotFile',
  3016: 'kXR_isDirectory', 3017: 'kXR_Cancelled', 3018: 'kXR_ItExists', 3019: 'kXR_ChkSumErr',
  3020: 'kXR_inProgress', 3021: 'kXR_overQuota', 3022: 'kXR_SigVerErr', 3023: 'kXR_DecryptErr',
  3024: 'kXR_Overloaded', 3025: 'kXR_fsReadOnly', 3026: 'kXR_BadPayload', 3027: 'kXR_AttrNotFound',
  3028: 'kXR_TLSRequired', 3029: 'kXR_noReplicas', 3030: 'kXR_AuthFailed', 3031: 'kXR_Impossible',
  3032: 'kXR_Conflict', 3033: 'kXR_TooManyErrs', 3034: 'kXR_ReqTimedOut', 3035: 'kXR_TimerExpired',
};

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `kXR_error ${code}`;
}

/** Server errors worth another attempt (a busy or restarting server), as opposed to a missing
 *  file or a refused permission. */
export function isTransientError(code: number): boolean {
  return code === 3007 || code === 3008 || code === 3012 || code === 3014 || code === 3024 || code === 3034;
}

export const REQUEST_HEADER = 24;
export const RESPONSE_HEADER = 8;

/** The 20-byte initial handshake (0, 0, 0, 4, 2012). */
export function handshakeBytes(): Buffer {
  const b = Buffer.alloc(20);
  b.writeInt32BE(4, 12);
  b.writeInt32BE(2012, 16);
  return b;
}

/** One request: the 24-byte header (stream id, request id, 16 parameter bytes, data length)
 *  followed by `data`. `params` fills the parameter bytes (offsets relative to them). */
export function encodeRequest(streamId: number, requestId: number, params: (p: Buffer) => void, data?: Uint8Array): Buffer {
  const len = data?.length ?? 0;
  const b = Buffer.alloc(REQUEST_HEADER + len);
  b.writeUInt16BE(streamId, 0);
  b.writeUInt16BE(requestId, 2);
  params(b.subarray(4, 20));
  b.writeInt32BE(len, 20);
  if (data) b.set(data, REQUEST_HEADER);
  return b;
}

/** A NUL-terminated (or whole) string of a response body. */
export function bodyText(body: Uint8Array, start = 0): string {
  let end = body.indexOf(0, start);
  if (end < 0) end = body.length;
  return Buffer.from(body.buffer, body.byteOffset + start, end - start).toString('utf8');
}

// kXR_auth: when kXR_login's answer lists security protocols (`&P=unix&P=ztn,...`), the client
// picks the first one it has and sends its credentials (more rounds on kXR_authmore). Only
// `unix` (user and group names, no secret) is built in; a token protocol (ztn: a bearer token)
// is one more XrdAuthProtocol.
import { userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import { XrdServerError } from './errors.ts';
import { REQ, STATUS } from './protocol.ts';

export interface SecurityOffer {
  /** Protocol id (at most 4 characters on the wire) -> its parameters as the server sent them. */
  protocols: Map<string, string>;
}

export interface XrdAuthProtocol {
  readonly id: string;
  /** Credentials for the first round (`challenge` undefined) or an answer to kXR_authmore. */
  credentials(params: string, challenge?: Buffer): Buffer;
}

/** `&P=unix&P=gsi,v:10200,c:ssl` -> {unix: '', gsi: 'v:10200,c:ssl'}. */
export function parseSecurityOffer(text: string): SecurityOffer {
  const protocols = new Map<string, string>();
  for (const part of text.split('&P=').slice(1)) {
    const [id, ...rest] = part.replace(/\0.*$/s, '').split(',');
    if (id) protocols.set(id.trim(), rest.join(','));
  }
  return { protocols };
}

let group: string | undefined;
function groupName(): string {
  if (group !== undefined) return group;
  group = '';
  try {
    const gid = String(userInfo().gid);
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id === gid && name) group = name;
    }
  } catch {
    // no /etc/group: the user name alone
  }
  return group;
}

/** XRootD's `unix` protocol: "unix\0<user> <group>\0". */
export const unixAuth: XrdAuthProtocol = {
  id: 'unix',
  credentials() {
    const g = groupName();
    return Buffer.from(`unix\0${userInfo().username}${g ? ` ${g}` : ''}\0`, 'utf8');
  },
};

export const DEFAULT_AUTH: readonly XrdAuthProtocol[] = [unixAuth];

/** The part of a connection the handshake uses (connection.ts's XrdConnection; auth.ts does not
 *  import it, so the two modules do not depend on each other). */
export interface AuthChannel {
  request(requestId: number, params: (p: Buffer) => void, data?: Uint8Array): Promise<{ status: number; body: Buffer }>;
}

export async function authenticate(conn: AuthChannel, offer: SecurityOffer, available: readonly XrdAuthProtocol[]): Promise<void> {
  const chosen = available.find((a) => offer.protocols.has(a.id));
  if (!chosen) {
    const offered = [...offer.protocols.keys()].join(', ') || 'none';
    throw new XrdServerError(3030, `server requires authentication by ${offered}; this client has ${available.map((a) => a.id).join(', ') || 'none'}`);
  }
  const params = offer.protocols.get(chosen.id)!;
  const credtype = Buffer.alloc(4);
  credtype.write(chosen.id.slice(0, 4), 'latin1');
  let creds = chosen.credentials(params);
  for (let round = 0; round < 8; round++) {
    const r = await conn.request(REQ.auth, (p) => credtype.copy(p, 12), creds);
    if (r.status !== STATUS.authmore) return;
    creds = chosen.credentials(params, r.body);
  }
  throw new XrdServerError(3030, `authentication by ${chosen.id} did not finish`);
}

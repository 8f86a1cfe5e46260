// Digest framing of the values the store keeps inside LMDB (entries, memo records): LMDB does not
// checksum its pages, so a flipped bit in index.mdb would otherwise be served as a valid result.
// A sealed record is  "HFS1" | sha256(payload) (32 bytes) | payload;  unseal() gives the payload
// back only if the digest matches (the CAS contract: nothing served unverified).
import { createHash } from 'node:crypto';

const MAGIC = [0x48, 0x46, 0x53, 0x31]; // "HFS1"
const HEADER = MAGIC.length + 32;

export function seal(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.byteLength);
  out.set(MAGIC, 0);
  out.set(digest(payload), MAGIC.length);
  out.set(payload, HEADER);
  return out;
}

/** The payload if `record` is sealed and its digest matches, else why not. The payload is a view
 *  into `record`: copy or decode it before the LMDB read buffer is reused. */
export function unseal(record: Uint8Array): { payload: Uint8Array } | { error: string } {
  if (record.byteLength < HEADER || MAGIC.some((b, i) => record[i] !== b)) return { error: 'no digest header (written by an older hepflow, or damaged)' };
  const payload = record.subarray(HEADER);
  const want = record.subarray(MAGIC.length, HEADER);
  const got = digest(payload);
  for (let i = 0; i < 32; i++) if (got[i] !== want[i]) return { error: 'its sha256 does not match the stored digest' };
  return { payload };
}

function digest(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

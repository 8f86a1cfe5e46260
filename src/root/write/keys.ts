// TKey headers (always the 64-bit "big" layout, version 1004, so files may pass 2 GB) and the
// deterministic TDatime/UUID the writer stamps into them.
import { WBuffer } from './buffer.ts';

export const kKeyVersionBig = 1004;
/** Fixed part of a big TKey header: fNbytes, fVersion, fObjlen, fDatime, fKeylen, fCycle, fSeekKey, fSeekPdir. */
const KEY_FIXED = 4 + 2 + 4 + 4 + 2 + 2 + 8 + 8;

export function tstringLength(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return (n < 255 ? 1 : 5) + n;
}

export function keyHeaderLength(className: string, name: string, title: string): number {
  return KEY_FIXED + tstringLength(className) + tstringLength(name) + tstringLength(title);
}

export interface KeyFields {
  nbytes: number;
  objlen: number;
  datime: number;
  keylen: number;
  cycle: number;
  seekKey: number;
  seekPdir: number;
  className: string;
  name: string;
  title: string;
}

export function writeKeyHeader(b: WBuffer, k: KeyFields): void {
  b.i32(k.nbytes).i16(kKeyVersionBig).i32(k.objlen).u32(k.datime).i16(k.keylen).i16(k.cycle)
    .i64(k.seekKey).i64(k.seekPdir).tstring(k.className).tstring(k.name).tstring(k.title);
}

export function keyHeaderBytes(k: KeyFields): Uint8Array {
  const b = new WBuffer(0, k.keylen);
  writeKeyHeader(b, k);
  return b.finish();
}

/** ROOT's packed TDatime: (year-1995)<<26 | month<<22 | day<<17 | hour<<12 | minute<<6 | second. */
export function encodeDatime(d: Date): number {
  return (((d.getUTCFullYear() - 1995) << 26) | ((d.getUTCMonth() + 1) << 22) | (d.getUTCDate() << 17)
    | (d.getUTCHours() << 12) | (d.getUTCMinutes() << 6) | d.getUTCSeconds()) >>> 0;
}

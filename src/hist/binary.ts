// Compact binary form for the cache: "HFH1" magic, u32 header length, JSON axes header, then the
// sumw and sumw2 Float64Arrays (8-byte aligned) in little-endian order.
import { Hist } from './hist.ts';
import { axisFromJSON, type AxisJSON } from './axis.ts';

const MAGIC = 0x31484648; // 'HFH1' read as little-endian u32

export function histToBinary(h: Hist): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(h.axes.map((a) => a.toJSON())));
  const start = Math.ceil((8 + header.length) / 8) * 8, n = h.sumw.length;
  const out = new Uint8Array(start + 16 * n);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true); dv.setUint32(4, header.length, true);
  out.set(header, 8);
  for (let i = 0; i < n; i++) { dv.setFloat64(start + 8 * i, h.sumw[i]!, true); dv.setFloat64(start + 8 * (n + i), h.sumw2[i]!, true); }
  return out;
}

export function histFromBinary(bytes: Uint8Array): Hist {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || dv.getUint32(0, true) !== MAGIC) throw new Error('not a hepflow binary histogram (bad magic)');
  const hl = dv.getUint32(4, true);
  const axes = (JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hl))) as AxisJSON[]).map(axisFromJSON);
  const start = Math.ceil((8 + hl) / 8) * 8, n = (bytes.byteLength - start) / 16;
  const w = new Float64Array(n), w2 = new Float64Array(n);
  for (let i = 0; i < n; i++) { w[i] = dv.getFloat64(start + 8 * i, true); w2[i] = dv.getFloat64(start + 8 * (n + i), true); }
  return new Hist(axes, w, w2);
}

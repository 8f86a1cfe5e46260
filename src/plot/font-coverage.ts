// Which characters a TrueType font has glyphs for (its `cmap` table, formats 4 and 12), so the PNG
// rasteriser can skip loading the system's fonts when the bundled font covers every character of a
// figure: resvg re-reads every system font for every figure otherwise (22 fonts here, hundreds on a
// desktop), and without a missing glyph they are never used.
import { readFileSync } from 'node:fs';

/** Sorted, disjoint [first, last] code point ranges that map to a glyph. */
export type Coverage = Array<[number, number]>;

export function cmapCoverage(font: Uint8Array): Coverage {
  const v = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const tables = v.getUint16(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) {
    const rec = 12 + 16 * i;
    if (String.fromCharCode(font[rec]!, font[rec + 1]!, font[rec + 2]!, font[rec + 3]!) === 'cmap') cmap = v.getUint32(rec + 8);
  }
  if (cmap < 0) return [];
  // prefer the full-Unicode subtable (format 12) over the BMP one (format 4)
  let best = -1, bestFormat = 0;
  for (let i = 0; i < v.getUint16(cmap + 2); i++) {
    const sub = cmap + v.getUint32(cmap + 4 + 8 * i + 4);
    const format = v.getUint16(sub);
    if ((format === 12 || format === 4) && format > bestFormat) [best, bestFormat] = [sub, format];
  }
  if (best < 0) return [];
  const out: Coverage = [];
  const add = (a: number, b: number) => {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  };
  if (bestFormat === 12) {
    for (let g = 0, n = v.getUint32(best + 12); g < n; g++) {
      const at = best + 16 + 12 * g;
      const [first, last, glyph] = [v.getUint32(at), v.getUint32(at + 4), v.getUint32(at + 8)];
      add(glyph === 0 ? first + 1 : first, last);
    }
  } else {
    const segs = v.getUint16(best + 6) / 2;
    const ends = best + 14, starts = ends + 2 * segs + 2, deltas = starts + 2 * segs, ranges = deltas + 2 * segs;
    for (let s = 0; s < segs; s++) {
      const [first, last, delta, range] = [v.getUint16(starts + 2 * s), v.getUint16(ends + 2 * s), v.getUint16(deltas + 2 * s), v.getUint16(ranges + 2 * s)];
      for (let c = first; c <= last && c !== 0xffff; c++) {
        let glyph = range === 0 ? c : v.getUint16(ranges + 2 * s + range + 2 * (c - first));
        if (range !== 0 && glyph === 0) continue;
        glyph = (glyph + delta) & 0xffff;
        if (glyph !== 0) add(c, c);
      }
    }
  }
  return out;
}

export function covers(coverage: Coverage, codePoint: number): boolean {
  let lo = 0, hi = coverage.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = coverage[mid]!;
    if (codePoint < a) hi = mid - 1;
    else if (codePoint > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const cache = new Map<string, Coverage>();
/** Coverage of a font file, read once per process. */
export function fileCoverage(path: string): Coverage {
  let c = cache.get(path);
  if (!c) cache.set(path, (c = cmapCoverage(readFileSync(path))));
  return c;
}

const ENTITY = /&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi;
/** The characters of an SVG's text that draw a glyph (tags dropped, entities decoded), each once. */
export function svgTextCharacters(svg: string): Set<number> {
  const text = svg.replace(/<[^>]*>/g, '').replace(ENTITY, (_, hex: string, dec: string, named: string) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[named.toLowerCase()]!);
  const out = new Set<number>();
  // spaces and control characters draw no glyph
  for (const ch of text) if (ch.codePointAt(0)! > 0x20) out.add(ch.codePointAt(0)!);
  return out;
}

// TH1F/TH1D/TH2F/TH2D payloads in ROOT's streamed layout (TH1 v7, TH2 v4, TAxis v9, as declared in
// streamers.ts). Bin arrays include under/overflow in ROOT's order (2D: x fastest, (nx+2)*(ny+2)).
import { WBuffer } from './buffer.ts';
import { classVersion } from './streamers.ts';
import { writeEmptyTList, writeTAttFill, writeTAttLine, writeTAttMarker, writeTNamed } from './tobject.ts';

export interface Hist1DInput {
  /** nbins + 1 bin edges, increasing. */
  edges: ArrayLike<number>;
  /** nbins + 2 bin contents: [underflow, bin 1 .. bin n, overflow]. */
  values: ArrayLike<number>;
  /** Sum of squared weights per bin, same layout as values; omitted for unweighted histograms. */
  sumw2?: ArrayLike<number>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Default: the sum of all values including flow (what filling with unit weights gives). */
  entries?: number;
  /** Default: computed from the in-range bins at their centers. */
  stats?: { tsumw: number; tsumw2: number; tsumwx: number; tsumwx2: number };
  /** Default 'TH1D'. */
  type?: 'TH1D' | 'TH1F';
}

export interface Hist2DInput {
  xEdges: ArrayLike<number>;
  yEdges: ArrayLike<number>;
  /** (nx + 2) * (ny + 2) contents, index = ix + (nx + 2) * iy with ix, iy = 0 for underflow. */
  values: ArrayLike<number>;
  sumw2?: ArrayLike<number>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  zTitle?: string;
  entries?: number;
  stats?: { tsumw: number; tsumw2: number; tsumwx: number; tsumwx2: number; tsumwy: number; tsumwy2: number; tsumwxy: number };
  /** Default 'TH2D'. */
  type?: 'TH2D' | 'TH2F';
}

export type HistInput = Hist1DInput | Hist2DInput;

export function isHist2D(h: HistInput): h is Hist2DInput {
  return (h as Hist2DInput).xEdges !== undefined;
}

export function histClassName(h: HistInput): string {
  return isHist2D(h) ? (h.type ?? 'TH2D') : (h.type ?? 'TH1D');
}

function checkEdges(edges: ArrayLike<number>, what: string): void {
  if (edges.length < 2) throw new RangeError(`${what}: needs at least 2 edges, got ${edges.length}`);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! > edges[i - 1]!)) throw new RangeError(`${what}: edges must increase (edge ${i} = ${edges[i]} after ${edges[i - 1]})`);
  }
}

function isRegular(edges: ArrayLike<number>): boolean {
  const n = edges.length - 1;
  const lo = edges[0]!, hi = edges[n]!;
  const tol = 1e-9 * (hi - lo);
  for (let i = 1; i < n; i++) if (Math.abs(edges[i]! - (lo + ((hi - lo) * i) / n)) > tol) return false;
  return true;
}

function writeAxis(b: WBuffer, name: string, title: string, edges: ArrayLike<number> | null): void {
  const at = b.startVersion(classVersion('TAxis'));
  writeTNamed(b, name, title);
  const att = b.startVersion(classVersion('TAttAxis'));
  b.i32(510).i16(1).i16(1).i16(42).f32(0.005).f32(0.035).f32(0.03).f32(1).f32(0.035).i16(1).i16(42);
  b.endVersion(att);
  const n = edges ? edges.length - 1 : 1;
  const lo = edges ? edges[0]! : 0;
  const hi = edges ? edges[n]! : 1;
  b.i32(n).f64(lo).f64(hi);
  if (edges && !isRegular(edges)) b.i32(edges.length).f64array(edges);
  else b.i32(0);
  b.i32(0).i32(0); // fFirst, fLast: full range
  b.u16(0).u8(0).tstring(''); // fBits2, fTimeDisplay, fTimeFormat
  b.u32(0); // fLabels
  b.endVersion(at);
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

interface TH1Fields {
  name: string;
  title: string;
  ncells: number;
  axes: Array<{ name: string; title: string; edges: ArrayLike<number> | null }>;
  entries: number;
  tsumw: number;
  tsumw2: number;
  tsumwx: number;
  tsumwx2: number;
  sumw2: ArrayLike<number> | undefined;
}

function writeTH1(b: WBuffer, f: TH1Fields): void {
  const at = b.startVersion(classVersion('TH1'));
  writeTNamed(b, f.name, f.title);
  writeTAttLine(b, 602);
  writeTAttFill(b, 0, 1001);
  writeTAttMarker(b);
  b.i32(f.ncells);
  for (const a of f.axes) writeAxis(b, a.name, a.title, a.edges);
  b.i16(0).i16(1000); // fBarOffset, fBarWidth
  b.f64(f.entries).f64(f.tsumw).f64(f.tsumw2).f64(f.tsumwx).f64(f.tsumwx2);
  b.f64(-1111).f64(-1111).f64(0); // fMaximum, fMinimum, fNormFactor
  b.i32(0); // fContour
  if (f.sumw2) b.i32(f.sumw2.length).f64array(f.sumw2);
  else b.i32(0);
  b.tstring(''); // fOption
  writeEmptyTList(b);
  b.i32(0).u8(0); // fBufferSize, fBuffer (absent)
  b.i32(0); // fBinStatErrOpt
  b.endVersion(at);
}

function checkLength(a: ArrayLike<number> | undefined, n: number, what: string): void {
  if (a && a.length !== n) throw new RangeError(`${what}: expected ${n} values including under/overflow, got ${a.length}`);
}

/** Serialises a histogram named `name` (the key name) into a key payload. */
export function histPayload(name: string, h: HistInput, keylen: number): Uint8Array {
  const b = new WBuffer(keylen, 1024);
  const cls = histClassName(h);
  const float = cls.endsWith('F');
  if (!isHist2D(h)) {
    checkEdges(h.edges, `histogram '${name}' x axis`);
    const n = h.edges.length - 1;
    checkLength(h.values, n + 2, `histogram '${name}' values`);
    checkLength(h.sumw2, n + 2, `histogram '${name}' sumw2`);
    let stats = h.stats;
    if (!stats) {
      let tsumw = 0, tsumw2 = 0, tsumwx = 0, tsumwx2 = 0;
      for (let i = 1; i <= n; i++) {
        const w = h.values[i]!;
        const x = 0.5 * (h.edges[i - 1]! + h.edges[i]!);
        tsumw += w; tsumw2 += h.sumw2 ? h.sumw2[i]! : w; tsumwx += w * x; tsumwx2 += w * x * x;
      }
      stats = { tsumw, tsumw2, tsumwx, tsumwx2 };
    }
    const at = b.startVersion(classVersion(cls));
    writeTH1(b, {
      name, title: h.title ?? '', ncells: n + 2,
      axes: [{ name: 'xaxis', title: h.xTitle ?? '', edges: h.edges }, { name: 'yaxis', title: h.yTitle ?? '', edges: null }, { name: 'zaxis', title: '', edges: null }],
      entries: h.entries ?? sum(h.values), ...stats, sumw2: h.sumw2,
    });
    b.i32(n + 2);
    if (float) b.f32array(h.values); else b.f64array(h.values);
    b.endVersion(at);
    return b.finish();
  }
  checkEdges(h.xEdges, `histogram '${name}' x axis`);
  checkEdges(h.yEdges, `histogram '${name}' y axis`);
  const nx = h.xEdges.length - 1, ny = h.yEdges.length - 1;
  const ncells = (nx + 2) * (ny + 2);
  checkLength(h.values, ncells, `histogram '${name}' values`);
  checkLength(h.sumw2, ncells, `histogram '${name}' sumw2`);
  let stats = h.stats;
  if (!stats) {
    let tsumw = 0, tsumw2 = 0, tsumwx = 0, tsumwx2 = 0, tsumwy = 0, tsumwy2 = 0, tsumwxy = 0;
    for (let iy = 1; iy <= ny; iy++) {
      const y = 0.5 * (h.yEdges[iy - 1]! + h.yEdges[iy]!);
      for (let ix = 1; ix <= nx; ix++) {
        const x = 0.5 * (h.xEdges[ix - 1]! + h.xEdges[ix]!);
        const c = ix + (nx + 2) * iy;
        const w = h.values[c]!;
        tsumw += w; tsumw2 += h.sumw2 ? h.sumw2[c]! : w;
        tsumwx += w * x; tsumwx2 += w * x * x; tsumwy += w * y; tsumwy2 += w * y * y; tsumwxy += w * x * y;
      }
    }
    stats = { tsumw, tsumw2, tsumwx, tsumwx2, tsumwy, tsumwy2, tsumwxy };
  }
  const at = b.startVersion(classVersion(cls));
  const th2 = b.startVersion(classVersion('TH2'));
  writeTH1(b, {
    name, title: h.title ?? '', ncells,
    axes: [{ name: 'xaxis', title: h.xTitle ?? '', edges: h.xEdges }, { name: 'yaxis', title: h.yTitle ?? '', edges: h.yEdges }, { name: 'zaxis', title: h.zTitle ?? '', edges: null }],
    entries: h.entries ?? sum(h.values),
    tsumw: stats.tsumw, tsumw2: stats.tsumw2, tsumwx: stats.tsumwx, tsumwx2: stats.tsumwx2, sumw2: h.sumw2,
  });
  b.f64(1).f64(stats.tsumwy).f64(stats.tsumwy2).f64(stats.tsumwxy); // fScalefactor, ...
  b.endVersion(th2);
  b.i32(ncells);
  if (float) b.f32array(h.values); else b.f64array(h.values);
  b.endVersion(at);
  return b.finish();
}

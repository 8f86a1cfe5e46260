// A ROOT histogram (TH1*, TH2*, TProfile, as jsroot decodes it) as plain numbers, laid out like
// uproot's reads in ../shared/refs/root: edges, in-range values, under/overflow, variances (sumw2).

interface JsrootAxis { fNbins: number; fXmin: number; fXmax: number; fXbins?: ArrayLike<number> }
interface JsrootHist {
  _typename: string;
  fXaxis: JsrootAxis;
  fYaxis: JsrootAxis;
  fEntries: number;
  fArray: ArrayLike<number>;
  fSumw2?: ArrayLike<number>;
  fBinEntries?: ArrayLike<number>;
  fBinSumw2?: ArrayLike<number>;
}

export interface HistogramDump {
  class: string;
  entries: number;
  /** Bin edges (1D); for 2D: [x edges, y edges]. */
  edges: number[] | [number[], number[]];
  /** In-range contents; 2D: values[ix][iy]; TProfile: the mean of y per bin. */
  values: number[] | number[][];
  /** 1D only (2D: `flow`, the sum of the contents outside the range). */
  underflow?: number;
  overflow?: number;
  flow?: number;
  /** In-range sum of squared weights where the file stores it (TH1::Sumw2); 2D as values. */
  variances?: number[] | number[][];
  /** TProfile: the sum of weights per in-range bin (entries when unweighted). */
  binEntries?: number[];
}

export function isHistogramClass(className: string): boolean {
  return /^TH[12][CSIFDL]?$/.test(className) || className === 'TProfile';
}

/** ROOT's edges: the stored variable edges, else the regular ones as numpy.linspace gives them. */
export function axisEdges(a: JsrootAxis): number[] {
  if (a.fXbins && a.fXbins.length === a.fNbins + 1) return Array.from(a.fXbins);
  const step = (a.fXmax - a.fXmin) / a.fNbins;
  return Array.from({ length: a.fNbins + 1 }, (_, i) => (i === a.fNbins ? a.fXmax : a.fXmin + i * step));
}

export function histogramDump(h: JsrootHist): HistogramDump {
  const nx = h.fXaxis.fNbins;
  const sumw2 = h.fSumw2 && h.fSumw2.length === h.fArray.length ? h.fSumw2 : undefined;
  if (h._typename.startsWith('TH2')) {
    const ny = h.fYaxis.fNbins;
    const at = (a: ArrayLike<number>, ix: number, iy: number) => a[ix + (nx + 2) * iy]!;
    const grid = (a: ArrayLike<number>) => Array.from({ length: nx }, (_, i) => Array.from({ length: ny }, (_, j) => at(a, i + 1, j + 1)));
    const values = grid(h.fArray);
    let total = 0;
    for (let k = 0; k < h.fArray.length; k++) total += h.fArray[k]!;
    const inRange = values.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
    return { class: h._typename, entries: h.fEntries, edges: [axisEdges(h.fXaxis), axisEdges(h.fYaxis)], values, flow: total - inRange, ...(sumw2 ? { variances: grid(sumw2) } : {}) };
  }
  const inRange = (a: ArrayLike<number>) => Array.from({ length: nx }, (_, i) => a[i + 1]!);
  if (h._typename === 'TProfile') {
    const n = h.fBinEntries!;
    const mean = Array.from({ length: nx }, (_, i) => (n[i + 1]! === 0 ? 0 : h.fArray[i + 1]! / n[i + 1]!));
    return { class: h._typename, entries: h.fEntries, edges: axisEdges(h.fXaxis), values: mean, binEntries: inRange(n), ...(sumw2 ? { variances: inRange(sumw2) } : {}) };
  }
  return {
    class: h._typename, entries: h.fEntries, edges: axisEdges(h.fXaxis), values: inRange(h.fArray),
    underflow: h.fArray[0]!, overflow: h.fArray[nx + 1]!, ...(sumw2 ? { variances: inRange(sumw2) } : {}),
  };
}

// N-dimensional weighted histogram (boost-histogram's Weight storage: sum w and sum w^2 per bin,
// in Float64Arrays, row-major with the last axis fastest, flow bins included).
import {
  type Axis, type AxisJSON, type NumericAxis, CategoryAxis, RegularAxis, VariableAxis,
  axisFromJSON, cloneAxis, isNumeric, regular, sameAxis, variable,
} from './axis.ts';

export type FillValue = ArrayLike<number> | number | string | readonly string[];

/** A 1D view over in-range bins: what the workspace builder and plotting consume. */
export interface Binned { edges: number[]; values: number[]; variances: number[] }

/** Selection for slice(): one category (removes the axis), several categories, or a value range. */
export type AxisSelection = string | number | readonly string[] | readonly number[] | { lo?: number; hi?: number };

export interface HistJSON { axes: AxisJSON[]; sumw: number[]; sumw2: number[] }

export class Hist {
  axes: Axis[];
  sumw: Float64Array;
  sumw2: Float64Array;

  constructor(axes: Axis[], sumw?: Float64Array, sumw2?: Float64Array) {
    const names = new Set<string>();
    for (const a of axes) {
      if (a.name && names.has(a.name)) throw new Error(`histogram has two axes named '${a.name}'`);
      names.add(a.name);
    }
    this.axes = axes;
    const size = this.size();
    this.sumw = sumw ?? new Float64Array(size);
    this.sumw2 = sumw2 ?? new Float64Array(size);
    if (this.sumw.length !== size || this.sumw2.length !== size) throw new Error(`histogram storage has ${this.sumw.length} cells, axes need ${size}`);
  }

  private size(): number { return this.axes.reduce((p, a) => p * a.extent, 1); }
  private strides(): number[] {
    const s = new Array<number>(this.axes.length);
    let acc = 1;
    for (let i = this.axes.length - 1; i >= 0; i--) { s[i] = acc; acc *= this.axis(i).extent; }
    return s;
  }

  axisIndex(name: string | number): number {
    if (typeof name === 'number') return name;
    const i = this.axes.findIndex((a) => a.name === name);
    if (i < 0) throw new Error(`histogram has no axis '${name}' (axes: ${this.axes.map((a) => a.name).join(', ')})`);
    return i;
  }

  axis(name: string | number): Axis {
    const a = this.axes[this.axisIndex(name)];
    if (!a) throw new RangeError(`histogram has no axis ${name} (it has ${this.axes.length})`);
    return a;
  }

  /** Vectorised fill: one array (or a scalar / category value broadcast) per axis, by axis name
   *  (`{observable: ht, region: '4j1b'}`) or in axis order (`[ht, '4j1b']`). */
  fill(given: Record<string, FillValue> | FillValue[], weight: ArrayLike<number> | number = 1): this {
    if (Array.isArray(given) && given.length !== this.axes.length) throw new Error(`fill: ${given.length} values for ${this.axes.length} axes`);
    const values: Record<string, FillValue | undefined> = Array.isArray(given) ? Object.fromEntries(this.axes.map((a, i) => [a.name, given[i]])) : given;
    let n = typeof weight === 'number' ? -1 : weight.length;
    for (const a of this.axes) {
      const v = values[a.name];
      if (v === undefined) throw new Error(`fill: no value for axis '${a.name}'`);
      if (typeof v !== 'number' && typeof v !== 'string') {
        if (n >= 0 && v.length !== n) throw new Error(`fill: axis '${a.name}' got ${v.length} values, expected ${n}`);
        n = v.length;
      }
    }
    if (n < 0) n = 1;
    // grow category axes first (relayout), then all strides are final; an empty fill still
    // registers its categories, as hist does
    this.axes.forEach((a, ai) => {
      if (a instanceof CategoryAxis && a.growth) {
        const v = values[a.name];
        const vs = typeof v === 'string' || typeof v === 'number' ? [v] : Array.from(v as ArrayLike<string | number>);
        for (const x of new Set(vs)) if ((a as CategoryAxis<string | number>).index(x) < 0) this.grow(ai, x);
      }
    });
    if (n === 0) return this;
    const strides = this.strides();
    let base = 0;
    const arrays: Array<{ ai: number; v: ArrayLike<unknown> }> = [];
    for (let ai = 0; ai < this.axes.length; ai++) {
      const a = this.axis(ai), v = values[a.name];
      if (typeof v === 'number' || typeof v === 'string') {
        const i = indexOf(a, v);
        if (i < 0) return this; // unknown category on a non-growth axis: nothing to fill
        base += i * strides[ai]!;
      } else arrays.push({ ai, v: v as ArrayLike<unknown> });
    }
    const sw = this.sumw, sw2 = this.sumw2;
    const [only] = arrays;
    if (arrays.length === 1 && only && isNumeric(this.axis(only.ai))) {
      // the common case (observable x fixed categories): no index buffer
      const a = this.axis(only.ai) as NumericAxis, v = only.v as ArrayLike<number>, st = strides[only.ai]!;
      if (a instanceof RegularAxis) {
        const lo = a.lo, over = a.bins + 1, width = a.hi - a.lo;
        for (let k = 0; k < n; k++) {
          const z = (v[k]! - lo) / width;
          const i = z < 0 ? 0 : z >= 1 || z !== z ? over : Math.floor(z * a.bins) + 1;
          const c = base + i * st, w = typeof weight === 'number' ? weight : weight[k]!;
          sw[c]! += w; sw2[c]! += w * w;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const c = base + a.index(v[k]!) * st, w = typeof weight === 'number' ? weight : weight[k]!;
          sw[c]! += w; sw2[c]! += w * w;
        }
      }
      return this;
    }
    const idx = new Int32Array(n).fill(base);
    for (const { ai, v } of arrays) {
      const a = this.axis(ai), st = strides[ai]!;
      for (let k = 0; k < n; k++) {
        if (idx[k]! < 0) continue;
        const i = indexOf(a, v[k] as number | string);
        idx[k] = i < 0 ? -1 : idx[k]! + i * st;
      }
    }
    for (let k = 0; k < n; k++) {
      const c = idx[k]!;
      if (c < 0) continue;
      const w = typeof weight === 'number' ? weight : weight[k]!;
      sw[c]! += w; sw2[c]! += w * w;
    }
    return this;
  }

  private grow(ai: number, value: string | number): void {
    const a = this.axis(ai);
    const old = a.extent;
    const grown = cloneAxis(a) as unknown as CategoryAxis<string | number>;
    grown.push(value);
    const map = Int32Array.from({ length: old }, (_, i) => i);
    const r = this.remap(ai, grown as unknown as Axis, map);
    this.axes = r.axes; this.sumw = r.sumw; this.sumw2 = r.sumw2;
  }

  /** Move the cells along axis ai to new indices (map[old] = new or -1 to drop; several olds may add
   *  into one new); newAxis null sums the axis away. */
  private remap(ai: number, newAxis: Axis | null, map: Int32Array): Hist {
    const ext = this.axes.map((a) => a.extent), inner = ext.slice(ai + 1).reduce((p, x) => p * x, 1);
    const outer = ext.slice(0, ai).reduce((p, x) => p * x, 1), oldExt = ext[ai]!, newExt = newAxis ? newAxis.extent : 1;
    const w = new Float64Array(outer * newExt * inner), w2 = new Float64Array(outer * newExt * inner);
    for (let o = 0; o < outer; o++) {
      for (let e = 0; e < oldExt; e++) {
        const t = map[e]!;
        if (t < 0) continue;
        const src = (o * oldExt + e) * inner, dst = (o * newExt + t) * inner;
        for (let i = 0; i < inner; i++) { w[dst + i]! += this.sumw[src + i]!; w2[dst + i]! += this.sumw2[src + i]!; }
      }
    }
    const axes = this.axes.map(cloneAxis);
    if (newAxis) axes[ai] = newAxis; else axes.splice(ai, 1);
    return new Hist(axes, w, w2);
  }

  copy(): Hist { return new Hist(this.axes.map(cloneAxis), this.sumw.slice(), this.sumw2.slice()); }

  /** Multiply contents by f (variances by f^2). In place. */
  scale(f: number): this {
    for (let i = 0; i < this.sumw.length; i++) { this.sumw[i]! *= f; this.sumw2[i]! *= f * f; }
    return this;
  }

  /** this + f*o; category axes are merged by value (chunks may have seen categories in other orders). */
  plus(o: Hist, f = 1): Hist {
    if (o.axes.length !== this.axes.length) throw new Error(`cannot add histograms with ${this.axes.length} and ${o.axes.length} axes`);
    const r = this.copy();
    let other = o;
    for (let ai = 0; ai < this.axes.length; ai++) {
      const a = r.axis(ai), b = other.axis(ai);
      if (!sameAxis(a, b)) throw new Error(`cannot add histograms: axis ${ai} differs (${a.name}:${a.type} vs ${b.name}:${b.type})`);
      if (a instanceof CategoryAxis) {
        const bc = b as CategoryAxis<string | number>, ac = a as CategoryAxis<string | number>;
        for (const v of bc.values) if (ac.index(v) < 0) {
          if (!ac.growth) throw new Error(`cannot add histograms: category '${v}' missing on non-growth axis '${a.name}'`);
          r.grow(ai, v);
        }
        const target = r.axis(ai) as CategoryAxis<string | number>;
        other = other.remap(ai, cloneAxis(target as unknown as Axis), Int32Array.from(bc.values, (v) => target.index(v)));
      }
    }
    for (let i = 0; i < r.sumw.length; i++) { r.sumw[i]! += f * other.sumw[i]!; r.sumw2[i]! += f * f * other.sumw2[i]!; }
    return r;
  }

  /** Merge categories: `groupCategories('process', { single_top: ['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'] })`.
   *  Values not in any group keep their name; the new axis lists values in order of first appearance. */
  groupCategories(axisName: string, groups: Record<string, readonly (string | number)[]>): Hist {
    const ai = this.axisIndex(axisName), a = this.axis(ai);
    if (!(a instanceof CategoryAxis)) throw new Error(`groupCategories: axis '${axisName}' is not a category axis`);
    const ac = a as unknown as CategoryAxis<string | number>;
    const groupOf = new Map<string | number, string | number>();
    for (const [g, members] of Object.entries(groups)) for (const m of members) groupOf.set(m, ac.type === 'intcat' ? Number(g) : g);
    const values: Array<string | number> = [];
    const map = Int32Array.from(ac.values, (v) => {
      const target = groupOf.get(v) ?? v;
      let i = values.indexOf(target);
      if (i < 0) { values.push(target); i = values.length - 1; }
      return i;
    });
    const na = new CategoryAxis(ac.type, values, { name: a.name, label: a.label, growth: ac.growth });
    return this.remap(ai, na as unknown as Axis, map);
  }

  /** Keep only the named axes (in their current order), summing the others including flow bins. */
  project(...names: string[]): Hist {
    let h: Hist = this;
    for (let ai = this.axes.length - 1; ai >= 0; ai--) {
      if (names.includes(this.axis(ai).name)) continue;
      h = h.remap(ai, null, new Int32Array(this.axis(ai).extent));
    }
    return h;
  }

  /** boost-histogram slicing: a category value removes its axis; a numeric range keeps the axis and
   *  adds the cut-away bins into the flow bins (so totals are preserved). */
  slice(sel: Record<string, AxisSelection>): Hist {
    let h: Hist = this;
    for (const [name, s] of Object.entries(sel)) {
      const ai = h.axisIndex(name), a = h.axis(ai);
      if (a instanceof CategoryAxis) {
        const ac = a as CategoryAxis<string | number>;
        if (typeof s === 'string' || typeof s === 'number') {
          const i = ac.index(s);
          if (i < 0) throw new Error(`axis '${name}' has no category '${s}' (has: ${ac.values.join(', ')})`);
          const map = new Int32Array(a.extent).fill(-1); map[i] = 0;
          h = h.remap(ai, null, map);
        } else if (Array.isArray(s)) {
          const picked = (s as Array<string | number>).map((v) => { const i = ac.index(v); if (i < 0) throw new Error(`axis '${name}' has no category '${v}'`); return i; });
          const map = new Int32Array(a.extent).fill(-1);
          picked.forEach((i, j) => { map[i] = j; });
          const na = new CategoryAxis(ac.type, s as Array<string | number>, { name: a.name, label: a.label, growth: ac.growth });
          h = h.remap(ai, na as Axis, map);
        } else throw new Error(`slice: axis '${name}' is a category axis; select it by value`);
      } else {
        if (typeof s !== 'object' || Array.isArray(s)) throw new Error(`slice: numeric axis '${name}' takes {lo, hi}`);
        const r = s as { lo?: number; hi?: number };
        const edges = a.edges(), nb = a.bins;
        const first = r.lo === undefined ? 0 : Math.max(0, a.index(r.lo) - 1);
        const stop = r.hi === undefined ? nb : Math.min(nb, a.index(r.hi) - 1);
        if (stop <= first) throw new Error(`slice: empty range on axis '${name}'`);
        const na = variableOrRegular(a, edges.slice(first, stop + 1));
        const map = new Int32Array(a.extent);
        for (let b = 0; b < a.extent; b++) map[b] = b === 0 || b - 1 < first ? 0 : b - 1 >= stop ? stop - first + 1 : b - first;
        h = h.remap(ai, na, map);
      }
    }
    return h;
  }

  /** Merge each `factor` consecutive bins of a numeric axis. */
  rebin(name: string, factor: number): Hist {
    const ai = this.axisIndex(name), a = this.axis(ai);
    if (!isNumeric(a)) throw new Error(`rebin: axis '${name}' is not numeric`);
    if (!Number.isInteger(factor) || factor < 1 || a.bins % factor !== 0) throw new Error(`rebin: axis '${name}' has ${a.bins} bins, not divisible by ${factor}`);
    const edges = a.edges().filter((_, i) => i % factor === 0);
    const map = new Int32Array(a.extent);
    for (let b = 0; b < a.extent; b++) map[b] = b === 0 ? 0 : b === a.bins + 1 ? edges.length : Math.floor((b - 1) / factor) + 1;
    return this.remap(ai, variableOrRegular(a, edges), map);
  }

  /** Rebin to new edges, each an existing edge; bins outside go to the flow bins. */
  rebinTo(name: string, newEdges: number[]): Hist {
    const ai = this.axisIndex(name), a = this.axis(ai);
    if (!isNumeric(a)) throw new Error(`rebin: axis '${name}' is not numeric`);
    const old = a.edges(), tol = 1e-9 * (old[old.length - 1]! - old[0]!);
    const pos = newEdges.map((e) => {
      const j = old.findIndex((o) => Math.abs(o - e) <= tol);
      if (j < 0) throw new Error(`rebin: ${e} is not a bin edge of axis '${name}' (edges ${old.join(', ')})`);
      return j;
    });
    const map = new Int32Array(a.extent);
    for (let b = 0; b < a.extent; b++) {
      if (b === 0) { map[b] = 0; continue; }
      if (b === a.bins + 1) { map[b] = newEdges.length; continue; }
      const lowEdge = b - 1; // old bin [old[b-1], old[b])
      if (lowEdge < pos[0]!) map[b] = 0;
      else if (lowEdge >= pos[pos.length - 1]!) map[b] = newEdges.length;
      else { let k = 0; while (pos[k + 1]! <= lowEdge) k++; map[b] = k + 1; }
    }
    return this.remap(ai, variableOrRegular(a, pos.map((j) => old[j]!)), map);
  }

  /** The AGC's `h[110j::hist.rebin(2)]`: start at the bin holding `lo`, then merge by `factor`. */
  rebinFrom(name: string, lo: number, factor: number): Hist {
    return this.slice({ [name]: { lo } }).rebin(name, factor);
  }

  /** 1D in-range view after selecting categories: `h.toBinned({region: '4j1b', process: 'ttbar', variation: 'nominal'})`. */
  toBinned(sel: Record<string, AxisSelection> = {}): Binned {
    const h = this.slice(sel);
    const numeric = h.axes.filter(isNumeric);
    const [a] = numeric;
    if (h.axes.length !== 1 || !a) {
      throw new Error(`toBinned: need exactly one axis left after selection, have ${h.axes.map((x) => x.name).join(', ')}`);
    }
    return { edges: a.edges(), values: Array.from(h.sumw.subarray(1, a.bins + 1)), variances: Array.from(h.sumw2.subarray(1, a.bins + 1)) };
  }

  /** 1D contents including under/overflow (for ROOT's TH1, and the AGC reference format). */
  withFlow(sel: Record<string, AxisSelection> = {}): { edges: number[]; values: Float64Array; variances: Float64Array } {
    const h = this.slice(sel);
    const [a, ...rest] = h.axes;
    if (!a || rest.length || !isNumeric(a)) throw new Error('withFlow: need exactly one numeric axis left after selection');
    return { edges: a.edges(), values: h.sumw, variances: h.sumw2 };
  }

  sum(flow = true): number {
    if (flow) return this.sumw.reduce((s, x) => s + x, 0);
    let t = 0;
    const strides = this.strides(), n = this.sumw.length;
    outer: for (let c = 0; c < n; c++) {
      for (let ai = 0; ai < this.axes.length; ai++) {
        const a = this.axis(ai);
        if (!isNumeric(a)) continue;
        const i = Math.floor(c / strides[ai]!) % a.extent;
        if (i === 0 || i === a.extent - 1) continue outer;
      }
      t += this.sumw[c]!;
    }
    return t;
  }

  toJSON(): HistJSON {
    return { axes: this.axes.map((a) => a.toJSON()), sumw: Array.from(this.sumw), sumw2: Array.from(this.sumw2) };
  }

  static fromJSON(j: HistJSON): Hist {
    return new Hist(j.axes.map(axisFromJSON), Float64Array.from(j.sumw), Float64Array.from(j.sumw2));
  }
}

function indexOf(a: Axis, v: number | string): number {
  if (a instanceof CategoryAxis) return (a as unknown as CategoryAxis<string | number>).index(v);
  return (a as NumericAxis).index(v as number);
}

function variableOrRegular(a: NumericAxis, edges: number[]): NumericAxis {
  const meta = { name: a.name, label: a.label };
  if (a instanceof RegularAxis) return regular(edges.length - 1, edges[0]!, edges[edges.length - 1]!, meta);
  if (a instanceof VariableAxis) return variable(edges, meta);
  throw new Error('not a numeric axis');
}

/** hist.Hist.new-like builder: `hist(regular(25, 50, 550, {name: 'observable'}), strCategory([], {name: 'process', growth: true}))`. */
export function hist(...axes: Axis[]): Hist { return new Hist(axes); }

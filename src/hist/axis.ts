// Histogram axes (boost-histogram semantics): numeric axes carry an underflow (index 0) and an
// overflow (index bins+1) bin, NaN goes to overflow; category axes have no flow bins, growth axes
// append unseen values, others drop them.

export interface AxisMeta { name?: string; label?: string }

export type AxisJSON =
  | { type: 'regular'; name: string; label: string; bins: number; lo: number; hi: number }
  | { type: 'variable'; name: string; label: string; edges: number[] }
  | { type: 'strcat'; name: string; label: string; values: string[]; growth: boolean }
  | { type: 'intcat'; name: string; label: string; values: number[]; growth: boolean };

export class RegularAxis {
  readonly type = 'regular' as const;
  readonly name: string; readonly label: string;
  readonly bins: number; readonly lo: number; readonly hi: number;
  constructor(bins: number, lo: number, hi: number, meta: AxisMeta = {}) {
    if (!(Number.isInteger(bins) && bins > 0) || !(hi > lo)) throw new Error(`regular axis ${meta.name ?? ''}: need bins > 0 and hi > lo, got (${bins}, ${lo}, ${hi})`);
    this.bins = bins; this.lo = lo; this.hi = hi; this.name = meta.name ?? ''; this.label = meta.label ?? this.name;
  }
  get extent(): number { return this.bins + 2; }
  /** Storage index (0 = underflow) of x, computed as boost-histogram does: floor((x-lo)/(hi-lo)*bins). */
  index(x: number): number {
    const z = (x - this.lo) / (this.hi - this.lo);
    if (z < 0) return 0;
    if (z >= 1 || z !== z) return this.bins + 1;
    return Math.floor(z * this.bins) + 1;
  }
  edges(): number[] {
    const e: number[] = [];
    for (let i = 0; i <= this.bins; i++) e.push(this.lo + ((this.hi - this.lo) * i) / this.bins);
    return e;
  }
  toJSON(): AxisJSON { return { type: 'regular', name: this.name, label: this.label, bins: this.bins, lo: this.lo, hi: this.hi }; }
}

export class VariableAxis {
  readonly type = 'variable' as const;
  readonly name: string; readonly label: string;
  private readonly e: Float64Array;
  constructor(edges: ArrayLike<number>, meta: AxisMeta = {}) {
    this.name = meta.name ?? ''; this.label = meta.label ?? this.name;
    if (edges.length < 2) throw new Error(`variable axis ${this.name}: need at least two edges`);
    for (let i = 1; i < edges.length; i++) if (!(edges[i]! > edges[i - 1]!)) throw new Error(`variable axis ${this.name}: edges must increase (${edges[i - 1]} >= ${edges[i]})`);
    this.e = Float64Array.from(edges);
  }
  get bins(): number { return this.e.length - 1; }
  get extent(): number { return this.bins + 2; }
  index(x: number): number {
    const e = this.e, n = e.length;
    if (x < e[0]!) return 0;
    if (!(x < e[n - 1]!)) return n;
    let lo = 0, hi = n - 1; // e[lo] <= x < e[hi]
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (x < e[mid]!) hi = mid; else lo = mid; }
    return lo + 1;
  }
  edges(): number[] { return Array.from(this.e); }
  toJSON(): AxisJSON { return { type: 'variable', name: this.name, label: this.label, edges: this.edges() }; }
}

export class CategoryAxis<T extends string | number> {
  readonly type: 'strcat' | 'intcat';
  readonly name: string; readonly label: string;
  readonly growth: boolean;
  readonly values: T[];
  private readonly lookup = new Map<T, number>();
  constructor(type: 'strcat' | 'intcat', values: T[], meta: AxisMeta & { growth?: boolean } = {}) {
    this.type = type; this.name = meta.name ?? ''; this.label = meta.label ?? this.name; this.growth = meta.growth ?? false;
    this.values = [];
    for (const v of values) this.push(v);
  }
  get extent(): number { return this.values.length; }
  get bins(): number { return this.values.length; }
  /** -1 when unknown (the caller grows the axis if `growth`). */
  index(v: T): number { return this.lookup.get(v) ?? -1; }
  push(v: T): number {
    if (this.lookup.has(v)) throw new Error(`category axis ${this.name}: duplicate value '${v}'`);
    this.values.push(v); this.lookup.set(v, this.values.length - 1);
    return this.values.length - 1;
  }
  toJSON(): AxisJSON {
    return this.type === 'strcat'
      ? { type: 'strcat', name: this.name, label: this.label, values: this.values as string[], growth: this.growth }
      : { type: 'intcat', name: this.name, label: this.label, values: this.values as number[], growth: this.growth };
  }
}

export type NumericAxis = RegularAxis | VariableAxis;
export type Axis = NumericAxis | CategoryAxis<string> | CategoryAxis<number>;

export const regular = (bins: number, lo: number, hi: number, meta: AxisMeta = {}): RegularAxis => new RegularAxis(bins, lo, hi, meta);
export const variable = (edges: ArrayLike<number>, meta: AxisMeta = {}): VariableAxis => new VariableAxis(edges, meta);
export const strCategory = (values: string[], meta: AxisMeta & { growth?: boolean } = {}): CategoryAxis<string> => new CategoryAxis('strcat', values, meta);
export const intCategory = (values: number[], meta: AxisMeta & { growth?: boolean } = {}): CategoryAxis<number> => new CategoryAxis('intcat', values, meta);

export function isNumeric(a: Axis): a is NumericAxis { return a.type === 'regular' || a.type === 'variable'; }

export function axisFromJSON(j: AxisJSON): Axis {
  const meta = { name: j.name, label: j.label };
  switch (j.type) {
    case 'regular': return regular(j.bins, j.lo, j.hi, meta);
    case 'variable': return variable(j.edges, meta);
    case 'strcat': return strCategory(j.values, { ...meta, growth: j.growth });
    case 'intcat': return intCategory(j.values, { ...meta, growth: j.growth });
  }
}

export function cloneAxis(a: Axis): Axis { return axisFromJSON(a.toJSON()); }

export function sameAxis(a: Axis, b: Axis): boolean {
  if (a.type !== b.type || a.name !== b.name) return false;
  if (isNumeric(a) && isNumeric(b)) return a.edges().every((e, i) => e === b.edges()[i]) && a.bins === b.bins;
  return true; // categories are merged by value
}

// CMS Combine text datacard as data (what DatacardParser.py reads): channels ("bins") with
// observations, one column per (bin, process), nuisances with one entry per column, and the
// per-line directives (rateParam, param, autoMCStats, group).

/** `shapes process channel file histogram [histogram_with_systematics]`; `*` matches all. */
export interface DatacardShapesLine {
  process: string;
  channel: string;
  file: string;
  histogram: string;
  histogramWithSystematics?: string;
}

/** One column of the bin / process / process / rate block. id <= 0: signal. */
export interface DatacardColumn {
  bin: string;
  process: string;
  id: number;
  rate: number;
}

/** Asymmetric lnN: `down/up` (kappa values). */
export interface AsymmetricKappa { down: number; up: number }
export type DatacardEffect = number | AsymmetricKappa;

export type UncertaintyType = 'lnN' | 'lnU' | 'gmN' | 'shape' | 'shapeN' | 'shapeN2' | 'shapeU' | 'shape?' | 'shapeN?' | 'shapeN2?' | 'shapeU?';
export const UNCERTAINTY_TYPES: ReadonlySet<string> = new Set<UncertaintyType>([
  'lnN', 'lnU', 'gmN', 'shape', 'shapeN', 'shapeN2', 'shapeU', 'shape?', 'shapeN?', 'shapeN2?', 'shapeU?',
]);

/** A nuisance line: one effect per column (`null` for `-`). gmN carries the control-region count. */
export interface DatacardUncertainty {
  name: string;
  type: UncertaintyType;
  gmN?: number;
  effects: Array<DatacardEffect | null>;
}

/** `name rateParam bin process value [range]` or `name rateParam bin process formula args`. */
export interface DatacardRateParam {
  name: string;
  bin: string;
  process: string;
  /** a number, or a formula like `(@0*@1)` */
  value: number | string;
  /** comma-separated dependents of a formula */
  args?: string;
  range?: [number, number];
}

/** `name param mean sigma [range]`: a Gaussian constraint on an existing parameter. */
export interface DatacardParam {
  name: string;
  mean: number;
  /** symmetric sigma, or `-down/+up` kept as written */
  sigma: number | string;
  range?: [number, number];
}

/** `channel autoMCStats threshold [include_signal] [hist_mode]`. */
export interface DatacardAutoMCStats {
  channel: string;
  threshold: number;
  includeSignal: boolean;
  histMode: number;
}

/** `name group = a b c` (or `+=`, which adds to the group). */
export interface DatacardGroup { name: string; members: string[] }

export interface Datacard {
  /** numbers of channels, processes - 1, nuisances as declared (`*` = count them) */
  imax: number | '*';
  jmax: number | '*';
  kmax: number | '*';
  shapes: DatacardShapesLine[];
  bins: string[];
  /** per bin; null when the card has no observation line */
  observations: number[] | null;
  columns: DatacardColumn[];
  uncertainties: DatacardUncertainty[];
  rateParams: DatacardRateParam[];
  params: DatacardParam[];
  autoMCStats: DatacardAutoMCStats[];
  groups: DatacardGroup[];
  /** directives kept verbatim (extArg, flatParam, discrete, nuisance edit ...) */
  other: string[];
}

/** Declared sizes replaced by the actual counts (what a card writer normally states). */
export function withCountedSizes(card: Datacard): Datacard {
  const processes = new Set(card.columns.map((c) => c.process));
  return { ...card, imax: card.bins.length, jmax: processes.size - 1, kmax: card.uncertainties.length + card.params.length };
}

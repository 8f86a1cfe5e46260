// Shared contract of the modifier modules: each turns the occurrences of one modifier type into
// parameter sets (pyhf's paramset requirements) and terms evaluated over the bins of one sample block.
import type { Modifier, ModifierType } from '../workspace.ts';
import type { HistosysCode, NormsysCode } from '../interpolation.ts';

/** One modifier on one sample in one channel, in pyhf's processing order. */
export interface Occurrence {
  channel: string;
  /** index of the channel in pyhf's (sorted) channel order */
  channelIndex: number;
  sample: string;
  /** index of the (channel, sample) block in the model */
  block: number;
  nom: readonly number[];
  mod: Modifier;
  /** JSON path of the modifier in the workspace, for errors */
  path: string;
}

export interface ParamSetSpec {
  name: string;
  n: number;
  /** pyhf names scalar parameters `name`, vector ones `name[i]` */
  scalar: boolean;
  inits: number[];
  bounds: Array<[number, number]>;
  fixed: boolean[];
  constraint: 'normal' | 'poisson' | null;
  auxdata: number[];
  sigmas: number[];
  factors: number[];
  /** where the requirement came from (JSON path), for errors */
  origin: string;
}

/** Multiplicative factors or additive shifts on the bins of one sample block: `rows` stacked
 *  modifiers (several of one type may be merged into one term so the hot loop is tight). */
export interface Term {
  kind: 'factor' | 'delta';
  rows: number;
  /** per row and bin (row-major): the parameter index, or -1 where the row does nothing */
  params: Int32Array;
  /** writes each row's value (factor, or shift) and its derivative by the row's parameter at
   *  value[at + row * nbins + i] (offsets into shared scratch, so no views are allocated), and the
   *  second derivative when `second` is given */
  evaluate(pars: Float64Array, value: Float64Array, deriv: Float64Array, at: number, second?: Float64Array): void;
}

/** Occurrences grouped by sample block, in first-seen order. */
export function byBlock(occs: Occurrence[]): Occurrence[][] {
  const groups = new Map<number, Occurrence[]>();
  for (const o of occs) {
    const g = groups.get(o.block);
    if (g) g.push(o); else groups.set(o.block, [o]);
  }
  return [...groups.values()];
}

export interface BuildOptions {
  normsys: NormsysCode;
  histosys: HistosysCode;
}

export interface BuiltModifiers {
  paramSets: ParamSetSpec[];
  /** given the model's offset of each parameter set, the terms to apply */
  terms(offset: (name: string) => number): Array<{ occ: Occurrence; term: Term }>;
}

export interface ModifierKind {
  type: ModifierType;
  build(occs: Occurrence[], opts: BuildOptions): BuiltModifiers;
}

export function unconstrainedScalar(name: string, origin: string, init: number, bounds: [number, number]): ParamSetSpec {
  return {
    name, n: 1, scalar: true, inits: [init], bounds: [bounds], fixed: [false],
    constraint: null, auxdata: [], sigmas: [], factors: [], origin,
  };
}

/** Factor equal to the parameter itself (normfactor, lumi, staterror, shapesys, shapefactor). */
export function linearFactor(params: Int32Array): Term {
  return {
    kind: 'factor',
    rows: 1,
    params,
    evaluate(pars, value, deriv, at, second) {
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        if (p < 0) { value[at + i] = 1; deriv[at + i] = 0; } else { value[at + i] = pars[p]!; deriv[at + i] = 1; }
      }
      second?.fill(0, at, at + params.length);
    },
  };
}

/** Parameter sets of one name in order of first use; shared ones must agree, unshared ones may not repeat. */
export function firstUse(occs: Occurrence[], make: (occ: Occurrence) => ParamSetSpec, shared: boolean): ParamSetSpec[] {
  const byName = new Map<string, ParamSetSpec>();
  for (const occ of occs) {
    const spec = make(occ);
    const prev = byName.get(spec.name);
    if (!prev) { byName.set(spec.name, spec); continue; }
    if (!shared) {
      throw new Error(`${occ.path}: ${occ.mod.type} '${spec.name}' is already used at ${prev.origin}; a ${occ.mod.type} cannot be shared`);
    }
    if (prev.n !== spec.n) {
      throw new Error(`${occ.path}: ${occ.mod.type} '${spec.name}' needs ${spec.n} parameters here but ${prev.n} at ${prev.origin}`);
    }
  }
  return [...byName.values()];
}

export function constantParams(n: number, p: number): Int32Array {
  return new Int32Array(n).fill(p);
}

/** The one parameter a normsys or histosys contributes: alpha, unit-Gaussian constrained around
 *  0 in [-5, 5], shared by every modifier of that name (pyhf's `alpha_*` convention). */
export function alphaParameters(occs: Occurrence[]): ParamSetSpec[] {
  return firstUse(occs, (o) => ({
    name: o.mod.name, n: 1, scalar: true, inits: [0], bounds: [[-5, 5]], fixed: [false],
    constraint: 'normal', auxdata: [0], sigmas: [1], factors: [], origin: o.path,
  }), true);
}

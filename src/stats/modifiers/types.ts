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

/** A multiplicative factor or an additive shift on the bins of one sample block. */
export interface Term {
  kind: 'factor' | 'delta';
  /** per bin: the parameter index the term depends on, or -1 where it does nothing */
  params: Int32Array;
  /** writes the value (factor, or shift) and its derivative by the parameter for every bin */
  evaluate(pars: Float64Array, value: Float64Array, deriv: Float64Array): void;
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
    params,
    evaluate(pars, value, deriv) {
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        if (p < 0) { value[i] = 1; deriv[i] = 0; } else { value[i] = pars[p]!; deriv[i] = 1; }
      }
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

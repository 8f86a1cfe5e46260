// HistFactory model with pyhf's semantics: parameter order and names, default parameter configs,
// expected data (main bins of all channels in sorted channel order, then auxdata), and twice_nll
// (-2 log L with every constant term) with its analytic gradient. Hot paths run over Float64Arrays.
import { UserError } from '../errors.ts';
import { binsLowRank, lowRankColumns, type BlockScratch } from './hessian-lowrank.ts';
import type { HistosysCode, NormsysCode } from './interpolation.ts';
import type { LowRank } from './lowrank.ts';
import { MODIFIER_KINDS } from './modifiers/index.ts';
import type { Occurrence, ParamSetSpec, Term } from './modifiers/types.ts';
import { lgamma, xlogy } from './special.ts';
import { getMeasurement } from './workspace.ts';
import type { Measurement, ModifierType, ParameterConfig, Workspace } from './workspace.ts';

export interface ModelOptions {
  /** interpolation code of normsys modifiers (pyhf's default: code4) */
  normsys?: NormsysCode;
  /** interpolation code of histosys modifiers (pyhf's default: code4p) */
  histosys?: HistosysCode;
}

export interface ParamSet {
  name: string;
  type: ModifierType;
  offset: number;
  n: number;
  scalar: boolean;
  constraint: 'normal' | 'poisson' | null;
  /** position of this set's auxdata in the aux vector (-1 when unconstrained) */
  auxOffset: number;
}

export interface ChannelInfo { name: string; offset: number; nbins: number; samples: string[] }

export interface Block {
  channel: string;
  sample: string;
  /** first global bin */
  offset: number;
  nbins: number;
  nom: Float64Array;
  factors: Term[];
  deltas: Term[];
  /** parameter of each stacked factor / shift row and bin (row-major), -1 where it does nothing */
  factorParams: Int32Array;
  deltaParams: Int32Array;
}

/** Observed counts (main bins) and auxiliary data, with the data-only constants of twice_nll. */
export interface Dataset {
  main: Float64Array;
  aux: Float64Array;
  /** 2 * (sum lgamma(n+1) over main bins + sum lgamma(a+1) over Poisson auxdata) */
  constant: number;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class Model {
  readonly measurement: string;
  readonly channels: ChannelInfo[];
  readonly samples: string[];
  readonly blocks: Block[];
  readonly paramSets: ParamSet[];
  readonly parNames: string[];
  readonly poiName: string;
  readonly poiIndex: number;
  readonly nPars: number;
  readonly nMain: number;
  readonly nAux: number;
  readonly init: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly fixed: Uint8Array;
  /** nominal auxdata (the observed global observables) */
  readonly auxdata: Float64Array;
  readonly observed: Dataset;
  /** the interpolation codes in use */
  readonly codes: { readonly normsys: NormsysCode; readonly histosys: HistosysCode };
  // constraint terms, one entry per constrained parameter
  private readonly gaussPar: Int32Array;
  private readonly gaussAux: Int32Array;
  private readonly gaussInvVar: Float64Array;
  private readonly gaussConst: number;
  private readonly poisPar: Int32Array;
  private readonly poisAux: Int32Array;
  private readonly poisFactor: Float64Array;
  // scratch space reused by every evaluation
  private readonly lam: Float64Array;
  private readonly scratch: BlockScratch[];

  constructor(ws: Workspace, measurement: Measurement, opts: ModelOptions = {}) {
    this.measurement = measurement.name;
    const codes = { normsys: opts.normsys ?? 'code4', histosys: opts.histosys ?? 'code4p' } as const;
    this.codes = codes;
    // pyhf iterates channels, samples and (modifier name, type) pairs in sorted order
    const chIdx = ws.channels.map((_, i) => i).sort((a, b) => byCodePoint(ws.channels[a]!.name, ws.channels[b]!.name));
    const obs = new Map(ws.observations.map((o) => [o.name, o.data]));
    this.channels = [];
    this.blocks = [];
    const occsByType = new Map<ModifierType, Occurrence[]>();
    let offset = 0;
    const sampleSet = new Set<string>();
    chIdx.forEach((ci, channelIndex) => {
      const ch = ws.channels[ci]!;
      const nbins = obs.get(ch.name)?.length ?? ch.samples[0]!.data.length;
      const sIdx = ch.samples.map((_, i) => i).sort((a, b) => byCodePoint(ch.samples[a]!.name, ch.samples[b]!.name));
      this.channels.push({ name: ch.name, offset, nbins, samples: sIdx.map((i) => ch.samples[i]!.name) });
      for (const si of sIdx) {
        const s = ch.samples[si]!;
        sampleSet.add(s.name);
        const block = this.blocks.length;
        this.blocks.push({ channel: ch.name, sample: s.name, offset, nbins, nom: Float64Array.from(s.data), factors: [], deltas: [], factorParams: new Int32Array(0), deltaParams: new Int32Array(0) });
        const mIdx = s.modifiers.map((_, i) => i).sort((a, b) => {
          const ma = s.modifiers[a]!, mb = s.modifiers[b]!;
          return byCodePoint(ma.name, mb.name) || byCodePoint(ma.type, mb.type);
        });
        for (const mi of mIdx) {
          const mod = s.modifiers[mi]!;
          const list = occsByType.get(mod.type) ?? [];
          list.push({
            channel: ch.name, channelIndex, sample: s.name, block, nom: s.data, mod,
            path: `channels[${ci}].samples[${si}].modifiers[${mi}]`,
          });
          occsByType.set(mod.type, list);
        }
      }
      offset += nbins;
    });
    this.samples = [...sampleSet].sort(byCodePoint);
    this.nMain = offset;

    // parameter sets in pyhf's order: by modifier type (registry order), then as each type orders them
    const built = MODIFIER_KINDS.map((kind) => {
      try {
        return { kind, b: kind.build(occsByType.get(kind.type) ?? [], codes) };
      } catch (e) {
        throw new UserError(`measurement '${measurement.name}': ${(e as Error).message}`);
      }
    });
    // one parameter set per name: modifiers of different types may share a name (e.g. a normsys and a
    // histosys of the same systematic) when their requirements agree, as pyhf's reduction allows
    const specs: Array<{ spec: ParamSetSpec; type: ModifierType }> = [];
    const seen = new Map<string, { spec: ParamSetSpec; type: ModifierType }>();
    for (const { kind, b } of built) {
      for (const spec of b.paramSets) {
        const other = seen.get(spec.name);
        if (!other) {
          const entry = { spec, type: kind.type };
          seen.set(spec.name, entry);
          specs.push(entry);
        } else if (!compatible(other.spec, spec)) {
          throw new UserError(`${spec.origin}: modifier name '${spec.name}' is used by both a ${other.type} (${other.spec.origin}) and a ${kind.type} with different parameter requirements`);
        }
      }
    }
    const configs = new Map<string, ParameterConfig>(measurement.config.parameters.map((p) => [p.name, p]));
    this.paramSets = [];
    this.parNames = [];
    const init: number[] = [], lower: number[] = [], upper: number[] = [], fixed: boolean[] = [];
    const aux: number[] = [];
    const gPar: number[] = [], gAux: number[] = [], gIV: number[] = [], pPar: number[] = [], pAux: number[] = [], pFac: number[] = [];
    let gConst = 0;
    let npar = 0;
    for (const { spec, type } of specs) {
      const cfg = applyUserConfig(spec, configs.get(spec.name), measurement.name);
      const set: ParamSet = {
        name: spec.name, type, offset: npar, n: spec.n, scalar: spec.scalar, constraint: spec.constraint,
        auxOffset: spec.constraint ? aux.length : -1,
      };
      this.paramSets.push(set);
      for (let i = 0; i < spec.n; i++) {
        this.parNames.push(spec.scalar ? spec.name : `${spec.name}[${i}]`);
        init.push(cfg.inits[i]!);
        lower.push(cfg.bounds[i]![0]);
        upper.push(cfg.bounds[i]![1]);
        fixed.push(cfg.fixed[i]!);
        if (spec.constraint === 'normal') {
          const sigma = cfg.sigmas[i]!;
          gPar.push(npar + i); gAux.push(aux.length); gIV.push(1 / (sigma * sigma));
          gConst += Math.log(2 * Math.PI) + 2 * Math.log(sigma);
          aux.push(cfg.auxdata[i]!);
        } else if (spec.constraint === 'poisson') {
          pPar.push(npar + i); pAux.push(aux.length); pFac.push(cfg.factors[i]!);
          aux.push(cfg.auxdata[i]!);
        }
      }
      npar += spec.n;
    }
    this.nPars = npar;
    this.nAux = aux.length;
    this.init = Float64Array.from(init);
    this.lower = Float64Array.from(lower);
    this.upper = Float64Array.from(upper);
    this.fixed = Uint8Array.from(fixed, (f) => (f ? 1 : 0));
    this.auxdata = Float64Array.from(aux);
    this.gaussPar = Int32Array.from(gPar); this.gaussAux = Int32Array.from(gAux); this.gaussInvVar = Float64Array.from(gIV);
    this.gaussConst = gConst;
    this.poisPar = Int32Array.from(pPar); this.poisAux = Int32Array.from(pAux); this.poisFactor = Float64Array.from(pFac);

    const poi = this.paramSets.find((p) => p.name === measurement.config.poi);
    if (!poi) throw new UserError(`measurement '${measurement.name}': POI '${measurement.config.poi}' is not a parameter of the model`);
    if (!poi.scalar || poi.n !== 1) throw new UserError(`measurement '${measurement.name}': POI '${poi.name}' must be a single parameter (normfactor, lumi, normsys or histosys)`);
    this.poiName = poi.name;
    this.poiIndex = poi.offset;

    const offsets = new Map(this.paramSets.map((p) => [p.name, p.offset]));
    for (const { b } of built) {
      for (const { occ, term } of b.terms((name) => offsets.get(name)!)) {
        const block = this.blocks[occ.block]!;
        (term.kind === 'factor' ? block.factors : block.deltas).push(term);
      }
    }
    const rowsOf = (terms: Term[]) => terms.reduce((a, t) => a + t.rows, 0);
    const stack = (terms: Term[]) => {
      const out = new Int32Array(terms.reduce((a, t) => a + t.params.length, 0));
      let at = 0;
      for (const t of terms) { out.set(t.params, at); at += t.params.length; }
      return out;
    };
    for (const b of this.blocks) { b.factorParams = stack(b.factors); b.deltaParams = stack(b.deltas); }
    this.lam = new Float64Array(this.nMain);
    this.scratch = this.blocks.map((b) => ({
      nf: rowsOf(b.factors),
      nd: rowsOf(b.deltas),
      d2f: new Float64Array(rowsOf(b.factors) * b.nbins),
      d2d: new Float64Array(rowsOf(b.deltas) * b.nbins),
      fv: new Float64Array(rowsOf(b.factors) * b.nbins),
      dfv: new Float64Array(rowsOf(b.factors) * b.nbins),
      dv: new Float64Array(rowsOf(b.deltas) * b.nbins),
      ddv: new Float64Array(rowsOf(b.deltas) * b.nbins),
      base: new Float64Array(b.nbins),
      prod: new Float64Array(b.nbins),
    }));

    const main = new Float64Array(this.nMain);
    for (const ch of this.channels) {
      const data = obs.get(ch.name);
      if (!data) throw new UserError(`measurement '${measurement.name}': no observation for channel '${ch.name}'`);
      main.set(data, ch.offset);
    }
    this.observed = this.dataset(main, this.auxdata);
  }

  /** Wrap main-bin counts and auxdata, precomputing their constant terms. */
  dataset(main: ArrayLike<number>, aux: ArrayLike<number> = this.auxdata): Dataset {
    if (main.length !== this.nMain) throw new UserError(`expected ${this.nMain} main-bin values, got ${main.length}`);
    if (aux.length !== this.nAux) throw new UserError(`expected ${this.nAux} auxdata values, got ${aux.length}`);
    const m = Float64Array.from(main), a = Float64Array.from(aux);
    let c = 0;
    for (let i = 0; i < m.length; i++) c += lgamma(m[i]! + 1);
    for (let k = 0; k < this.poisAux.length; k++) c += lgamma(a[this.poisAux[k]!]! + 1);
    return { main: m, aux: a, constant: 2 * c };
  }

  /** Fill the per-block scratch (base = nominal + shifts, prod = product of factors) and lam. */
  private evaluate(pars: Float64Array, second = false): void {
    const lam = this.lam;
    lam.fill(0);
    for (let k = 0; k < this.blocks.length; k++) {
      const b = this.blocks[k]!, s = this.scratch[k]!, n = b.nbins;
      const base = s.base, prod = s.prod;
      base.set(b.nom);
      let row = 0;
      for (const t of b.deltas) { t.evaluate(pars, s.dv, s.ddv, row * n, second ? s.d2d : undefined); row += t.rows; }
      const dv = s.dv, nd = s.nd;
      for (let r = 0, j = 0; r < nd; r++) for (let i = 0; i < n; i++, j++) base[i]! += dv[j]!;
      prod.fill(1);
      row = 0;
      for (const t of b.factors) { t.evaluate(pars, s.fv, s.dfv, row * n, second ? s.d2f : undefined); row += t.rows; }
      const fv = s.fv, nf = s.nf;
      for (let r = 0, j = 0; r < nf; r++) for (let i = 0; i < n; i++, j++) prod[i]! *= fv[j]!;
      const o = b.offset;
      for (let i = 0; i < n; i++) lam[o + i]! += base[i]! * prod[i]!;
    }
  }

  /** Expected main-bin counts. */
  expectedMain(pars: Float64Array): Float64Array {
    this.evaluate(pars);
    return Float64Array.from(this.lam);
  }

  /** Expected counts of each (channel, sample) block, in `blocks` order. */
  expectedBlocks(pars: Float64Array): Float64Array[] {
    this.evaluate(pars);
    return this.scratch.map((s) => Float64Array.from(s.base, (v, i) => v * s.prod[i]!));
  }

  /** Expected auxdata: the parameter for Gaussian constraints, factor * parameter for Poisson ones. */
  expectedAux(pars: Float64Array): Float64Array {
    const out = new Float64Array(this.nAux);
    for (let k = 0; k < this.gaussPar.length; k++) out[this.gaussAux[k]!] = pars[this.gaussPar[k]!]!;
    for (let k = 0; k < this.poisPar.length; k++) out[this.poisAux[k]!] = this.poisFactor[k]! * pars[this.poisPar[k]!]!;
    return out;
  }

  /** Per auxdata entry: whether its constraint is Poisson (else Gaussian), and the Gaussian sigma
   *  (0 for Poisson ones): what sampling the auxdata of a toy needs. */
  auxConstraints(): { poisson: Uint8Array; sigma: Float64Array } {
    const poisson = new Uint8Array(this.nAux), sigma = new Float64Array(this.nAux);
    for (let k = 0; k < this.gaussAux.length; k++) sigma[this.gaussAux[k]!] = 1 / Math.sqrt(this.gaussInvVar[k]!);
    for (let k = 0; k < this.poisAux.length; k++) poisson[this.poisAux[k]!] = 1;
    return { poisson, sigma };
  }

  /** The Asimov-like dataset of expected main counts and expected auxdata at `pars`. */
  expectedDataset(pars: Float64Array): Dataset {
    return this.dataset(this.expectedMain(pars), this.expectedAux(pars));
  }

  private constraintTerm(pars: Float64Array, aux: Float64Array, grad: Float64Array | null): number {
    let t = this.gaussConst;
    for (let k = 0; k < this.gaussPar.length; k++) {
      const p = this.gaussPar[k]!;
      const r = pars[p]! - aux[this.gaussAux[k]!]!;
      t += r * r * this.gaussInvVar[k]!;
      if (grad) grad[p]! += 2 * r * this.gaussInvVar[k]!;
    }
    for (let k = 0; k < this.poisPar.length; k++) {
      const p = this.poisPar[k]!, tau = this.poisFactor[k]!, a = aux[this.poisAux[k]!]!;
      const rate = tau * pars[p]!;
      t += 2 * (rate - xlogy(a, rate));
      if (grad) grad[p]! += 2 * (tau - (a === 0 ? 0 : a / pars[p]!));
    }
    return t;
  }

  /** Width of the constraint on parameter i: sigma (Gaussian), 1/sqrt(factor) (Poisson), 0 if none. */
  constraintWidth(i: number): number {
    const g = this.gaussPar.indexOf(i);
    if (g >= 0) return 1 / Math.sqrt(this.gaussInvVar[g]!);
    const p = this.poisPar.indexOf(i);
    if (p >= 0) return 1 / Math.sqrt(this.poisFactor[p]!);
    return 0;
  }

  /** Nominal centre of the constraint on parameter i (auxdata / factor), or its init when unconstrained. */
  auxCenter(i: number): number {
    const g = this.gaussPar.indexOf(i);
    if (g >= 0) return this.auxdata[this.gaussAux[g]!]!;
    const p = this.poisPar.indexOf(i);
    if (p >= 0) return this.auxdata[this.poisAux[p]!]! / this.poisFactor[p]!;
    return this.init[i]!;
  }

  /** -2 log L (pyhf's twice_nll, all constants included); NaN where an expected count with data is <= 0. */
  twiceNll(pars: Float64Array, data: Dataset): number {
    this.evaluate(pars);
    let t = data.constant;
    const lam = this.lam, n = data.main;
    for (let b = 0; b < lam.length; b++) t += 2 * (lam[b]! - xlogy(n[b]!, lam[b]!));
    return t + this.constraintTerm(pars, data.aux, null);
  }

  /** twice_nll and its gradient (written to `grad`). */
  twiceNllGrad(pars: Float64Array, data: Dataset, grad: Float64Array): number {
    this.evaluate(pars);
    grad.fill(0);
    let t = data.constant;
    const lam = this.lam, n = data.main;
    for (let b = 0; b < lam.length; b++) t += 2 * (lam[b]! - xlogy(n[b]!, lam[b]!));
    for (let k = 0; k < this.blocks.length; k++) {
      const blk = this.blocks[k]!, s = this.scratch[k]!, nb = blk.nbins, o = blk.offset;
      const nf = s.nf;
      const dParams = blk.deltaParams;
      for (let i = 0; i < nb; i++) {
        const w = 2 * (1 - (n[o + i] === 0 ? 0 : n[o + i]! / lam[o + i]!)) * s.prod[i]!;
        for (let j = i; j < dParams.length; j += nb) {
          const p = dParams[j]!;
          if (p >= 0) grad[p]! += w * s.ddv[j]!;
        }
      }
      const fParams = blk.factorParams;
      if (nf === 0) continue;
      for (let i = 0; i < nb; i++) {
        const w = 2 * (1 - (n[o + i] === 0 ? 0 : n[o + i]! / lam[o + i]!));
        if (w === 0) continue;
        // d(prod)/d(factor f) = product of the other factors, via prefix and suffix products
        const wb = w * s.base[i]!;
        let suffix = 1;
        const fv = s.fv, dfv = s.dfv;
        const prefix = this.prefixBuffer(nf);
        let pre = 1;
        for (let f = 0; f < nf; f++) { prefix[f] = pre; pre *= fv[f * nb + i]!; }
        for (let f = nf - 1; f >= 0; f--) {
          const p = fParams[f * nb + i]!;
          if (p >= 0) grad[p]! += wb * prefix[f]! * suffix * dfv[f * nb + i]!;
          suffix *= fv[f * nb + i]!;
        }
      }
    }
    return t + this.constraintTerm(pars, data.aux, grad);
  }

  /** Exact Hessian of twice_nll over the parameters `work` (row-major m x m; into `out` when given): per bin
   *  2 n / lam^2 (d lam)(d lam)^T + 2 (1 - n / lam) d2 lam, plus the constraint curvature. Costs about
   *  one gradient evaluation per factor-row pair instead of one per parameter. */
  twiceNllHessian(pars: Float64Array, data: Dataset, work: ArrayLike<number>, out?: Float64Array): Float64Array {
    this.evaluate(pars, true);
    const m = work.length;
    const pos = new Int32Array(this.nPars).fill(-1);
    for (let r = 0; r < m; r++) pos[work[r]!] = r;
    // a reused buffer: thousands of per-bin parameters make this m² array the fit's largest cost
    const h = out && out.length === m * m ? out.fill(0) : new Float64Array(m * m);
    const jrow = new Float64Array(m), touched = new Int32Array(m), mark = new Uint8Array(m);
    let nt = 0;
    const addJ = (r: number, v: number) => { if (!mark[r]) { mark[r] = 1; touched[nt++] = r; } jrow[r]! += v; };
    const addH = (a: number, b: number, v: number) => { h[a * m + b]! += v; };
    let k = 0;
    for (const ch of this.channels) {
      const k0 = k;
      while (k < this.blocks.length && this.blocks[k]!.channel === ch.name) k++;
      for (let i = 0; i < ch.nbins; i++) {
        const b = ch.offset + i, cnt = data.main[b]!, lam = this.lam[b]!;
        const w1 = cnt === 0 ? 0 : (2 * cnt) / (lam * lam);
        const w2 = 2 * (1 - (cnt === 0 ? 0 : cnt / lam));
        nt = 0;
        for (let kk = k0; kk < k; kk++) {
          const blk = this.blocks[kk]!, s = this.scratch[kk]!, nb = blk.nbins, nf = s.nf;
          const base = s.base[i]!, prod = s.prod[i]!;
          const dP = blk.deltaParams, fP = blk.factorParams;
          for (let j = i; j < dP.length; j += nb) {
            const p = dP[j]!;
            const r = p >= 0 ? pos[p]! : -1;
            if (r < 0) continue;
            addJ(r, prod * s.ddv[j]!);
            if (w2 !== 0) addH(r, r, w2 * prod * s.d2d[j]!);
          }
          if (nf === 0) continue;
          // products of all factors but f (excl) and but f and g (pairs), without dividing (factors may be 0)
          const fv = s.fv, excl = this.prefixBuffer(2 * nf);
          let pre = 1;
          for (let f = 0; f < nf; f++) { excl[f] = pre; pre *= fv[f * nb + i]!; }
          let suf = 1;
          for (let f = nf - 1; f >= 0; f--) { excl[f]! *= suf; suf *= fv[f * nb + i]!; }
          for (let f = 0; f < nf; f++) {
            const q = fP[f * nb + i]!;
            const rq = q >= 0 ? pos[q]! : -1;
            if (rq < 0) continue;
            const df = s.dfv[f * nb + i]!;
            addJ(rq, base * excl[f]! * df);
            if (w2 === 0) continue;
            addH(rq, rq, w2 * base * excl[f]! * s.d2f[f * nb + i]!);
            // shift rows x this factor (both orders give the symmetric entries)
            for (let j = i; j < dP.length; j += nb) {
              const p = dP[j]!;
              const rp = p >= 0 ? pos[p]! : -1;
              if (rp < 0) continue;
              const v = w2 * s.ddv[j]! * df * excl[f]!;
              addH(rp, rq, v); addH(rq, rp, v);
            }
            // this factor x every other factor g
            const pair = excl.subarray(nf, 2 * nf);
            let pp = 1;
            for (let g = 0; g < nf; g++) { pair[g] = pp; if (g !== f) pp *= fv[g * nb + i]!; }
            let ss = 1;
            for (let g = nf - 1; g >= 0; g--) { pair[g]! *= ss; if (g !== f) ss *= fv[g * nb + i]!; }
            for (let g = 0; g < nf; g++) {
              if (g === f) continue;
              const qg = fP[g * nb + i]!;
              const rg = qg >= 0 ? pos[qg]! : -1;
              if (rg < 0) continue;
              addH(rq, rg, w2 * base * df * s.dfv[g * nb + i]! * pair[g]!);
            }
          }
        }
        if (w1 !== 0) {
          for (let a = 0; a < nt; a++) {
            const ra = touched[a]!, va = w1 * jrow[ra]!;
            for (let c = 0; c < nt; c++) h[ra * m + touched[c]!]! += va * jrow[touched[c]!]!;
          }
        }
        for (let a = 0; a < nt; a++) { jrow[touched[a]!] = 0; mark[touched[a]!] = 0; }
      }
    }
    this.constraintCurvature(pars, data, pos, (r, v) => { h[r * m + r]! += v; });
    return h;
  }

  /** The same Hessian as diagonal plus low rank (hessian-lowrank.ts, lowrank.ts): O(bins x parameters)
   *  to build, for models with many parameters on few bins. */
  twiceNllHessianLowRank(pars: Float64Array, data: Dataset, work: ArrayLike<number>): LowRank {
    this.evaluate(pars, true);
    const m = work.length;
    const pos = new Int32Array(this.nPars).fill(-1);
    for (let r = 0; r < m; r++) pos[work[r]!] = r;
    const b = binsLowRank({ channels: this.channels, blocks: this.blocks, scratch: this.scratch, lam: this.lam, main: data.main }, pos, m);
    this.constraintCurvature(pars, data, pos, (r, v) => { b.d[r]! += v; });
    return b.done();
  }

  /** The constraint terms' (diagonal) curvature, per row of the working set (`pos`: -1 if not in it). */
  private constraintCurvature(pars: Float64Array, data: Dataset, pos: Int32Array, add: (r: number, v: number) => void): void {
    for (let q = 0; q < this.gaussPar.length; q++) {
      const r = pos[this.gaussPar[q]!]!;
      if (r >= 0) add(r, 2 * this.gaussInvVar[q]!);
    }
    for (let q = 0; q < this.poisPar.length; q++) {
      const r = pos[this.poisPar[q]!]!;
      if (r < 0) continue;
      const th = pars[this.poisPar[q]!]!;
      add(r, (2 * data.aux[this.poisAux[q]!]!) / (th * th));
    }
  }

  /** Upper bound on the low-rank form's columns (independent of parameter values). */
  lowRankColumns(): number {
    return lowRankColumns({ channels: this.channels, blocks: this.blocks, scratch: this.scratch });
  }

  private binParamsCache?: Int32Array[];

  /** The parameters acting on each main bin (from the modifiers, independent of their values): the
   *  Hessian's sparsity pattern, since constraint terms are diagonal. */
  paramsPerBin(): Int32Array[] {
    if (this.binParamsCache) return this.binParamsCache;
    const sets = Array.from({ length: this.nMain }, () => new Set<number>());
    for (const blk of this.blocks) {
      const nb = blk.nbins;
      for (let j = 0; j < blk.deltaParams.length; j++) if (blk.deltaParams[j]! >= 0) sets[blk.offset + (j % nb)]!.add(blk.deltaParams[j]!);
      for (let j = 0; j < blk.factorParams.length; j++) if (blk.factorParams[j]! >= 0) sets[blk.offset + (j % nb)]!.add(blk.factorParams[j]!);
    }
    this.binParamsCache = sets.map((st) => Int32Array.from(st));
    return this.binParamsCache;
  }

  private prefix = new Float64Array(64);
  private prefixBuffer(n: number): Float64Array {
    if (this.prefix.length < n) this.prefix = new Float64Array(2 * n);
    return this.prefix;
  }
}

function compatible(a: ParamSetSpec, b: ParamSetSpec): boolean {
  const key = (x: ParamSetSpec) => JSON.stringify([x.n, x.scalar, x.constraint, x.inits, x.bounds, x.fixed, x.auxdata, x.sigmas, x.factors]);
  return key(a) === key(b);
}

/** Merge the measurement's parameter config into pyhf's defaults, checking lengths like pyhf does. */
function applyUserConfig(spec: ParamSetSpec, cfg: ParameterConfig | undefined, measurement: string) {
  const where = `measurement '${measurement}' parameter '${spec.name}'`;
  const vec = <T>(key: string, user: T[] | undefined, dflt: T[]): T[] => {
    if (user === undefined) return dflt;
    if (user.length !== spec.n) throw new UserError(`${where}: ${key} has ${user.length} values, expected ${spec.n}`);
    return user;
  };
  if (cfg && spec.constraint === null && (cfg.auxdata || cfg.sigmas)) {
    throw new UserError(`${where}: auxdata/sigmas given for an unconstrained parameter`);
  }
  const out = {
    inits: vec('inits', cfg?.inits, spec.inits),
    bounds: vec('bounds', cfg?.bounds, spec.bounds),
    fixed: cfg?.fixed === undefined ? spec.fixed : Array(spec.n).fill(cfg.fixed) as boolean[],
    auxdata: vec('auxdata', cfg?.auxdata, spec.auxdata),
    sigmas: vec('sigmas', cfg?.sigmas, spec.sigmas),
    factors: vec('factors', cfg?.factors, spec.factors),
  };
  if (spec.constraint === 'normal' && (out.auxdata.some((v) => !Number.isFinite(v)) || out.sigmas.some((v) => !Number.isFinite(v)))) {
    throw new UserError(`${where}: needs "auxdata" and "sigmas" in the measurement's config.parameters (no default for this constraint)`);
  }
  return out;
}

/** Build the model of a workspace for one measurement (default: the first). */
export function buildModel(ws: Workspace, measurement?: string, opts: ModelOptions = {}): Model {
  return new Model(ws, getMeasurement(ws, measurement), opts);
}

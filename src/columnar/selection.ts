// PackedSelection (coffea.analysis_tools): named event masks, combined on demand, with a cutflow.
import { and, countTrue } from './flat.ts';
import type { Mask } from './jagged.ts';

export interface Cutflow {
  names: string[];
  /** events in the chunk */
  total: number;
  /** events passing each cut alone */
  oneCut: number[];
  /** events passing the cuts up to and including each one */
  cumulative: number[];
  /** events passing all cuts but this one */
  nMinusOne: number[];
}

export class PackedSelection {
  readonly entries: number;
  private readonly masks = new Map<string, Mask>();

  constructor(entries: number) { this.entries = entries; }

  add(name: string, mask: ArrayLike<number>): this {
    if (mask.length !== this.entries) throw new Error(`selection '${name}': mask has ${mask.length} entries, expected ${this.entries}`);
    if (this.masks.has(name)) throw new Error(`selection '${name}' is already defined`);
    this.masks.set(name, mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (x) => +(x !== 0)));
    return this;
  }

  get names(): string[] { return [...this.masks.keys()]; }

  get(name: string): Mask {
    const m = this.masks.get(name);
    if (!m) throw new Error(`selection has no cut '${name}' (defined: ${this.names.join(', ')})`);
    return m;
  }

  /** Events passing every named cut. */
  all(...names: string[]): Mask {
    return names.length ? and(...names.map((n) => this.get(n))) : new Uint8Array(this.entries).fill(1);
  }

  /** Events failing every named cut. */
  none(...names: string[]): Mask {
    const out = new Uint8Array(this.entries).fill(1);
    for (const n of names) { const m = this.get(n); for (let i = 0; i < out.length; i++) if (m[i]) out[i] = 0; }
    return out;
  }

  /** Cuts required true or false: `require({ exactly_1l: true, atleast_2b: false })`. */
  require(spec: Record<string, boolean>): Mask {
    const out = new Uint8Array(this.entries).fill(1);
    for (const [n, want] of Object.entries(spec)) {
      const m = this.get(n);
      for (let i = 0; i < out.length; i++) if (!!m[i] !== want) out[i] = 0;
    }
    return out;
  }

  count(name: string): number { return countTrue(this.get(name)); }

  cutflow(...names: string[]): Cutflow {
    const ns = names.length ? names : this.names;
    const cumulative: number[] = [], oneCut: number[] = [], nMinusOne: number[] = [];
    for (let i = 0; i < ns.length; i++) {
      oneCut.push(this.count(ns[i]));
      cumulative.push(countTrue(this.all(...ns.slice(0, i + 1))));
      nMinusOne.push(countTrue(this.all(...ns.filter((_, j) => j !== i))));
    }
    return { names: ns, total: this.entries, oneCut, cumulative, nMinusOne };
  }
}

/** Add cutflows of chunks (same cut names). */
export function mergeCutflows(a: Cutflow, b: Cutflow): Cutflow {
  if (a.names.join('\u0000') !== b.names.join('\u0000')) throw new Error(`cutflows with different cuts: ${a.names} vs ${b.names}`);
  const add = (x: number[], y: number[]) => x.map((v, i) => v + y[i]);
  return { names: a.names, total: a.total + b.total, oneCut: add(a.oneCut, b.oneCut), cumulative: add(a.cumulative, b.cumulative), nMinusOne: add(a.nMinusOne, b.nMinusOne) };
}

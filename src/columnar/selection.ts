// PackedSelection (coffea.analysis_tools): named event masks, combined on demand, with a cutflow.
import { countTrue } from './flat.ts';
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

/** Named per-event cuts (coffea's PackedSelection): `sel.add('4j', ge(nJet, 4))`, then
 *  `sel.all('4j', '1b')` for the events passing them and `sel.cutflow([...])` for select's cutflow. */
export class PackedSelection {
  readonly entries: number;
  private readonly masks = new Map<string, Mask>();
  /** bit i of words[i >> 5][event] = cut i passed: all(...) is one pass over the events */
  private readonly words: Uint32Array[] = [];

  constructor(entries: number) { this.entries = entries; }

  /** Add a cut by name (one mask byte per event). */
  add(name: string, mask: ArrayLike<number>): this {
    if (mask.length !== this.entries) throw new Error(`selection '${name}': mask has ${mask.length} entries, expected ${this.entries}`);
    if (this.masks.has(name)) throw new Error(`selection '${name}' is already defined`);
    const m = mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (x) => +(x !== 0));
    const bit = this.masks.size;
    this.masks.set(name, m);
    if ((bit & 31) === 0) this.words.push(new Uint32Array(this.entries));
    const w = this.words[bit >> 5]!, b = (1 << (bit & 31)) >>> 0;
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) w[i]! |= b;
    return this;
  }

  get names(): string[] { return [...this.masks.keys()]; }

  get(name: string): Mask {
    const m = this.masks.get(name);
    if (!m) throw new Error(`selection has no cut '${name}' (defined: ${this.names.join(', ')})`);
    return m;
  }

  private bit(name: string): number {
    this.get(name);
    return this.names.indexOf(name);
  }

  /** Events passing every named cut. */
  all(...names: string[]): Mask {
    const out = new Uint8Array(this.entries).fill(1);
    const need = new Map<number, number>();
    for (const n of names) { const b = this.bit(n); need.set(b >> 5, ((need.get(b >> 5) ?? 0) | (1 << (b & 31))) >>> 0); }
    for (const [wi, m] of need) {
      const w = this.words[wi]!;
      for (let i = 0; i < out.length; i++) if ((w[i]! & m) >>> 0 !== m) out[i] = 0;
    }
    return out;
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
    for (const [i, name] of ns.entries()) {
      oneCut.push(this.count(name));
      cumulative.push(countTrue(this.all(...ns.slice(0, i + 1))));
      nMinusOne.push(countTrue(this.all(...ns.filter((_, j) => j !== i))));
    }
    return { names: ns, total: this.entries, oneCut, cumulative, nMinusOne };
  }
}

/** Add cutflows of chunks (same cut names). */
export function mergeCutflows(a: Cutflow, b: Cutflow): Cutflow {
  if (a.names.join('\u0000') !== b.names.join('\u0000')) throw new Error(`cutflows with different cuts: ${a.names} vs ${b.names}`);
  const add = (x: number[], y: number[]) => x.map((v, i) => v + y[i]!);
  return { names: a.names, total: a.total + b.total, oneCut: add(a.oneCut, b.oneCut), cumulative: add(a.cumulative, b.cumulative), nMinusOne: add(a.nMinusOne, b.nMinusOne) };
}

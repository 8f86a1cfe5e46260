// A collection (Jet, Electron, ...) zips the `Jet_*` branches sharing one offsets array. Filters and
// event selections only compute an index; a field is gathered when it is asked for (and cached), so a
// selection touching pt/eta/btag never copies the other 20 jet branches.
import { Jag, gather, maskIndex, selectEventsIndex, localToGlobal, countsToOffsets, type Flat, type Mask } from './jagged.ts';
import type { Jagged } from '../columns.ts';
import { P4s } from './lorentz.ts';
import { combinations, type Combinations } from './combinations.ts';
import { deltaR } from './math.ts';

export class Collection {
  readonly name: string;
  readonly offsets: Int32Array;
  /** base arrays and, when filtered, the global indices of the current items into them */
  private readonly source: Record<string, Flat>;
  private readonly index: Int32Array | null;
  /** fields already in the current item space (gathered or replaced via `with`) */
  private readonly own: Map<string, Flat>;

  constructor(name: string, offsets: Int32Array, source: Record<string, Flat>, index: Int32Array | null = null, own?: Map<string, Flat>) {
    this.name = name; this.offsets = offsets; this.source = source; this.index = index; this.own = own ?? new Map();
  }

  get length(): number { return this.offsets.length - 1; }
  get size(): number { return this.offsets[this.length]!; }

  fields(): string[] { return [...new Set([...Object.keys(this.source), ...this.own.keys()])]; }
  has(field: string): boolean { return this.own.has(field) || field in this.source; }

  get(field: string): Jag {
    let c = this.own.get(field);
    if (!c) {
      const src = this.source[field];
      if (!src) throw new Error(`collection ${this.name} has no field '${field}' (fields: ${this.fields().join(', ')})`);
      c = this.index ? gather(src, this.index) : src;
      this.own.set(field, c);
    }
    return new Jag(this.offsets, c);
  }

  // the four fields every physics object has, for `jets.pt.gt(25)` instead of `jets.get('pt').gt(25)`
  get pt(): Jag { return this.get('pt'); }
  get eta(): Jag { return this.get('eta'); }
  get phi(): Jag { return this.get('phi'); }
  get mass(): Jag { return this.get('mass'); }

  /** For each object, the smallest deltaR to any object of `other` in the same event (Infinity if none):
   *  cross-cleaning jets against leptons is `jets.filter(jets.minDeltaR(leptons).gt(0.4))`. */
  minDeltaR(other: Collection): Jag<Float64Array> {
    if (other.length !== this.length) throw new Error(`minDeltaR: ${this.name} has ${this.length} events, ${other.name} ${other.length}`);
    const eta = this.eta.content, phi = this.phi.content, oe = other.eta.content, op = other.phi.content;
    const o = this.offsets, p = other.offsets, out = new Float64Array(this.size).fill(Infinity);
    for (let e = 0; e < this.length; e++) {
      for (let i = o[e]!; i < o[e + 1]!; i++) for (let j = p[e]!; j < p[e + 1]!; j++) {
        const d = deltaR(eta[i]!, phi[i]!, oe[j]!, op[j]!);
        if (d < out[i]!) out[i] = d;
      }
    }
    return new Jag(this.offsets, out);
  }

  /** A copy with a field added or replaced (e.g. varied pt); values must have this collection's shape. */
  with(fields: Record<string, Jagged | Flat>): Collection {
    const own = new Map(this.own);
    for (const [k, v] of Object.entries(fields)) {
      const content = ArrayBuffer.isView(v) ? (v as Flat) : ((v as Jagged).content as Flat);
      if (content.length < this.size) throw new Error(`${this.name}.${k}: ${content.length} values for ${this.size} items`);
      own.set(k, content);
    }
    return new Collection(this.name, this.offsets, this.source, this.index, own);
  }

  private reindex(offsets: Int32Array, positions: Int32Array): Collection {
    const index = this.index ? gather(this.index, positions) : positions;
    const own = new Map<string, Flat>();
    for (const [k, v] of this.own) own.set(k, gather(v, positions));
    return new Collection(this.name, offsets, this.source, index, own);
  }

  /** Keep the objects where mask is set: `jets.filter(jets.get('pt').gt(25))`. */
  filter(mask: Jagged<Mask>): Collection {
    const { offsets, index } = maskIndex(this.offsets, mask.content);
    return this.reindex(offsets, index);
  }

  /** Keep whole events: `jets.selectEvents(sel.all('4j1b'))`. */
  selectEvents(eventMask: Mask): Collection {
    const { offsets, index } = selectEventsIndex(this.offsets, eventMask);
    return this.reindex(offsets, index);
  }

  /** Reorder per event by local indices (argsort output). */
  take(local: Jagged<Int32Array>): Collection {
    return this.reindex(local.offsets, localToGlobal(this.offsets, local));
  }

  sortBy(field: string, descending = true): Collection { return this.take(this.get(field).argsort(descending)); }

  counts(): Int32Array {
    const n = this.length, o = this.offsets, out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = o[i + 1]! - o[i]!;
    return out;
  }

  /** Four-vectors from pt/eta/phi and mass (or energy with kind 'ptEtaPhiE'). */
  p4(kind: 'ptEtaPhiM' | 'ptEtaPhiE' = 'ptEtaPhiM', names = { pt: 'pt', eta: 'eta', phi: 'phi', m: kind === 'ptEtaPhiM' ? 'mass' : 'E' }): P4s {
    const pt = this.get(names.pt).content, eta = this.get(names.eta).content, phi = this.get(names.phi).content, m = this.get(names.m).content;
    return kind === 'ptEtaPhiM' ? P4s.fromPtEtaPhiM(this.offsets, pt, eta, phi, m) : P4s.fromPtEtaPhiE(this.offsets, pt, eta, phi, m);
  }

  combinations(k: number): Combinations { return combinations(this.offsets, k); }

  /** Field values of the s-th member of each combination, as a jagged array over combinations. */
  member(c: Combinations, slot: number, field: string): Jag {
    const src = this.get(field).content;
    const index = c.slots[slot];
    if (!index) throw new RangeError(`${this.name}.member: slot ${slot} of ${c.slots.length}-combinations`);
    return new Jag(c.offsets, gather(src, index));
  }
}

/** Per-event concatenation of collections (electrons + muons -> leptons) over the given fields;
 *  a `source` field records which input collection each item came from (0, 1, ...). */
export function concat(name: string, parts: Collection[], fields: string[]): Collection {
  if (!parts[0]) throw new Error(`concat ${name}: no collections`);
  const n = parts[0].length;
  for (const p of parts) if (p.length !== n) throw new Error(`concat ${name}: ${p.name} has ${p.length} events, expected ${n}`);
  const counts = new Int32Array(n);
  for (const p of parts) for (let i = 0; i < n; i++) counts[i]! += p.offsets[i + 1]! - p.offsets[i]!;
  const offsets = countsToOffsets(counts), total = offsets[n]!;
  const out: Record<string, Flat> = {};
  const src = new Uint8Array(total);
  for (const f of [...fields, '__src']) {
    const dst = f === '__src' ? src : new Float64Array(total);
    const cursor = offsets.slice(0, n);
    parts.forEach((p, pi) => {
      const c = f === '__src' ? null : p.get(f).content, po = p.offsets;
      for (let i = 0; i < n; i++) for (let k = po[i]!; k < po[i + 1]!; k++) dst[cursor[i]!++] = c ? c[k]! : pi;
    });
    if (f !== '__src') out[f] = dst;
  }
  out.source = src;
  return new Collection(name, offsets, out);
}

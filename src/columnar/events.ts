// The physicist's view of one chunk: flat columns, jagged columns and zipped collections.
import { isFixedSize, isJagged, type EventColumn, type EventColumnBatch, type FixedSize } from '../columns.ts';
import { Jag, toFlat, type Flat, type Mask } from './jagged.ts';
import { Collection } from './collection.ts';
import { filterColumn } from './filter.ts';
import { guardColumns, missingColumn } from './missing-field.ts';
import { UserError } from '../errors.ts';
import { suggest } from '../suggest.ts';

export class Events {
  readonly batch: EventColumnBatch;
  readonly metadata: Record<string, unknown>;
  private readonly collections = new Map<string, Collection>();
  /** set on views made by filter(): collections come from the parent's, with whole events selected */
  private readonly parent: { events: Events; mask: Mask } | null;

  constructor(batch: EventColumnBatch, metadata: Record<string, unknown> = {}, parent: { events: Events; mask: Mask } | null = null) {
    // ev.batch.columns.nMuons throws (naming the close columns) instead of giving undefined
    this.batch = { entries: batch.entries, columns: guardColumns(batch.columns, (name) => this.missing(name)) };
    this.metadata = metadata; this.parent = parent;
  }

  /** coffea's `events[mask]`: a view of the events where mask is set. Columns are filtered when first
   *  used; collections keep their laziness (only the fields asked for are gathered). */
  filter(mask: ArrayLike<number>): Events {
    if (mask.length !== this.entries) throw new Error(`event mask has ${mask.length} entries, the chunk has ${this.entries}`);
    const m = mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (x) => +(x !== 0));
    let n = 0;
    for (let i = 0; i < m.length; i++) n += m[i] ? 1 : 0;
    const src = this.batch.columns, columns: Record<string, EventColumn> = {};
    for (const name of Object.keys(src)) {
      let cached: EventColumn | undefined;
      Object.defineProperty(columns, name, {
        enumerable: true,
        get: () => (cached ??= filterColumn(src[name]!, m, n, name)),
      });
    }
    return new Events({ entries: n, columns }, this.metadata, { events: this, mask: m });
  }

  get entries(): number { return this.batch.entries; }

  private column(name: string) {
    if (!this.has(name)) throw this.missing(name);
    return this.batch.columns[name]!;
  }

  private missingCollection(name: string): Error {
    const names = new Set<string>();
    for (const [col, c] of Object.entries(this.batch.columns)) if (isJagged(c) && col.includes('_')) names.add(col.slice(0, col.indexOf('_')));
    const close = suggest(name, [...names]);
    const hint = close.length ? `did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : `collections: ${[...names].join(', ') || 'none'}`;
    return new UserError(`no jagged '${name}_*' columns in the chunk for collection ${name} (${hint})`);
  }

  private missing(name: string): Error {
    return missingColumn('column', name, Object.keys(this.batch.columns), undefined, "; columns come from the skim's branches");
  }

  /** A flat (one value per event) column. */
  col(name: string): Flat {
    const c = this.column(name);
    if (isJagged(c)) throw new Error(`column '${name}' is jagged; use jag('${name}') or collection()`);
    if (isFixedSize(c)) throw new Error(`column '${name}' holds arrays of shape [${c.shape.join(', ')}] per event; use fixed('${name}')`);
    return toFlat(c);
  }

  /** A fixed-size array column (`float cov[2][3]`): shape and the entries * product(shape) values. */
  fixed(name: string): FixedSize {
    const c = this.column(name);
    if (!isFixedSize(c)) throw new Error(`column '${name}' is ${isJagged(c) ? 'jagged' : 'flat'}, not of fixed-size arrays`);
    return c;
  }

  jag(name: string): Jag {
    const c = this.column(name);
    if (!isJagged(c)) throw new Error(`column '${name}' is flat, not jagged`);
    return Jag.of(c);
  }

  has(name: string): boolean { return name in this.batch.columns; }

  /** `Jet` zips every jagged `Jet_*` column of the chunk (they share the `nJet` counts). */
  collection(name: string): Collection {
    let coll = this.collections.get(name);
    if (coll) return coll;
    if (this.parent) {
      coll = this.parent.events.collection(name).selectEvents(this.parent.mask);
      this.collections.set(name, coll);
      return coll;
    }
    const prefix = name + '_';
    const fields: Record<string, Flat> = {};
    let offsets: Int32Array | null = null, first = '';
    for (const [col, c] of Object.entries(this.batch.columns)) {
      if (!col.startsWith(prefix) || !isJagged(c)) continue;
      if (!offsets) { offsets = c.offsets; first = col; }
      else if (c.offsets !== offsets && c.offsets[c.offsets.length - 1] !== offsets[offsets.length - 1]) {
        throw new Error(`collection ${name}: ${col} has ${c.offsets[c.offsets.length - 1]} items but ${first} has ${offsets[offsets.length - 1]}`);
      }
      fields[col.slice(prefix.length)] = toFlat(c.content);
    }
    if (!offsets) throw this.missingCollection(name);
    coll = new Collection(name, offsets, fields);
    this.collections.set(name, coll);
    return coll;
  }
}

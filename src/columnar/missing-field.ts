// Reading a field that is not a column is an error (awkward's KeyError), never `undefined` that
// turns `e.nMuons >= 1` into "0 events, ok". No per-event cost: the fields are own properties of
// the object, found before its prototype; only a miss reaches the prototype, a Proxy that throws.
import type { EventColumn } from '../columns.ts';
import { UserError } from '../errors.ts';
import { suggest } from '../suggest.ts';

// read by the runtime itself (inspection, JSON, awaiting), not by user code looking for a column
const IGNORED = new Set(['then', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType']);

/** A prototype whose string-keyed reads throw `missing(name)` (Object.prototype methods still work). */
export function missingFieldPrototype(missing: (name: string) => Error): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key === 'symbol' || IGNORED.has(key)) return undefined;
      if (key in Object.prototype) return (Object.prototype as Record<string, unknown>)[key];
      throw missing(key);
    },
  });
}

/** The columns with the same (possibly lazy) properties, whose missing names throw. */
export function guardColumns(columns: Record<string, EventColumn>, missing: (name: string) => Error): Record<string, EventColumn> {
  const out = Object.create(missingFieldPrototype(missing)) as Record<string, EventColumn>;
  Object.defineProperties(out, Object.getOwnPropertyDescriptors(columns));
  return out;
}

/** `column 'nMuons' is not in the chunk (did you mean 'nMuon'?)`, with a hint when it is known
 *  elsewhere (a branch of the tree that the skim did not list). */
export function missingColumn(what: string, name: string, columns: readonly string[], elsewhere?: { names: readonly string[]; hint: string }, note = ''): UserError {
  if (elsewhere?.names.includes(name)) return new UserError(`${what} '${name}' is not in the chunk: ${elsewhere.hint}`);
  const close = suggest(name, [...new Set([...columns, ...(elsewhere?.names ?? [])])]);
  const list = columns.length > 12 ? `${columns.slice(0, 12).join(', ')}, ...` : columns.join(', ');
  return new UserError(`${what} '${name}' is not in the chunk (${close.length ? `did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : `columns: ${list || 'none'}`})${note}`);
}

// Node params that reject unknown keys: a misspelt option (`lumii: 3`, `filter:` for `where:`) is an
// error naming the key and the closest known ones, never silently dropped. Every kind builds its
// params (and nested option objects) with `strictParams`; validation prefixes the graph file, node
// and path: `g.ts: node 'h' (fill): unknown key 'lumii' (did you mean 'lumi'?)`. With `z.input`
// of the schema the graph builder's methods reject the same keys at type-check.
import { z } from 'zod';
import { suggest } from '../suggest.ts';

/** `z.strictObject(shape)` whose unknown-key error says "did you mean". */
export function strictParams<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownKeysMessage(iss.keys, known) : undefined),
  });
}

/** `unknown key 'lumii' (did you mean 'lumi'?)`, else the list of known keys. */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const key = keys[0] ?? '';
  const close = suggest(key, [...known]);
  const more = keys.length > 1 ? ` (and ${keys.slice(1).map((k) => `'${k}'`).join(', ')})` : '';
  const hint = close.length ? `did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : `known keys: ${known.join(', ') || 'none'}`;
  return `unknown key '${key}'${more} (${hint})`;
}

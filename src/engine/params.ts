// Graph parameters from the command line: `--set bins=17 --set inputs=data/` parsed by the graph's
// zod schema, with values coerced by the schema's field types (numbers, booleans, arrays, JSON).
import type { ZodType } from 'zod';
import { UserError } from '../errors.ts';

/** Split `k=v` strings into a map; later --set of the same key wins. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export function parseSetArgs(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${s}: expected NAME=VALUE`);
    const name = s.slice(0, eq).trim();
    // names reach object keys: those that would touch a prototype are refused by name
    if (RESERVED.has(name)) throw new UserError(`--set ${name}: '${name}' cannot be a parameter name (reserved in JavaScript objects)`);
    // a second value would silently win: almost always a typo in a long command line
    if (Object.hasOwn(out, name)) throw new UserError(`--set ${name} is given twice ('${out[name]}' and '${s.slice(eq + 1)}'); give it once (lists: --set ${name}=a,b)`);
    out[name] = s.slice(eq + 1);
  }
  return out;
}

interface ZodInternals { _zod: { def: { type: string; innerType?: ZodType; element?: ZodType; shape?: Record<string, ZodType>; options?: ZodType[] } } }

function baseType(schema: ZodType | undefined): { type: string; element?: ZodType } {
  let s = schema as unknown as ZodInternals | undefined;
  for (let i = 0; s && i < 20; i++) {
    const def = s._zod.def;
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly' || def.type === 'catch') && def.innerType) {
      s = def.innerType as unknown as ZodInternals;
    } else return { type: def.type, element: def.element };
  }
  return { type: 'unknown' };
}

function coerce(raw: string, schema: ZodType | undefined): unknown {
  const { type, element } = baseType(schema);
  const t = raw.trim();
  switch (type) {
    case 'number':
    case 'int':
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : raw;
    case 'bigint':
      return /^-?\d+$/.test(t) ? BigInt(t) : raw;
    case 'boolean':
      return t === 'true' || t === '1' || t === 'yes' ? true : t === 'false' || t === '0' || t === 'no' ? false : raw;
    case 'array':
      if (t.startsWith('[')) return tryJson(t);
      return t === '' ? [] : t.split(',').map((x) => coerce(x, element));
    case 'object':
    case 'record':
      return tryJson(t);
    case 'string':
    case 'enum':
    case 'literal':
      return raw;
    default: {
      const j = tryJson(t);
      return j === undefined ? raw : j;
    }
  }
}

function tryJson(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** Parse graph params from --set strings. `file` names the graph module in error messages. */
export function parseGraphParams(schema: ZodType | undefined, sets: Record<string, string>, file: string): unknown {
  const keys = Object.keys(sets);
  if (!schema) {
    if (keys.length) throw new UserError(`${file}: --set ${keys[0]}: this graph declares no parameters`);
    return {};
  }
  const shape = (schema as unknown as ZodInternals)._zod.def.shape;
  const input: Record<string, unknown> = {};
  for (const k of keys) {
    if (shape && !(k in shape)) {
      throw new UserError(`${file}: --set ${k}: unknown parameter (parameters: ${Object.keys(shape).join(', ') || 'none'})`);
    }
    input[k] = coerce(sets[k]!, shape?.[k]);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.length ? formatPath(issue.path) : '(params)';
  const top = issue.path[0];
  const given = typeof top === 'string' && top in sets ? `, got ${JSON.stringify(sets[top])}` : '';
  throw new UserError(`${file}: --set ${key}: ${cleanMessage(issue.message)}${given}`);
}

/** zod path as written in code: axes[0].bins */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

/** zod v4 says "Invalid input: expected number, received string"; keep the useful part, in words
 *  ("expected int, received number" for 17.5 reads as a type error: it is "expected an integer"). */
export function cleanMessage(msg: string): string {
  return msg.replace(/^Invalid input: /, '').replace(/, received \w+$/, '').replace(/^expected int$/, 'expected an integer');
}

// Options of a zod object schema as documentation rows (name, type, default, doc comment): for
// `flow graph` (a graph's parameters) and the generated API reference (every node kind's options).
// Doc comments are read from the source text: the `/** ... */` right before a key of the object
// literal that follows `anchor` (the schema itself carries no comments).

interface ZodLike {
  _zod: { def: { type: string; [k: string]: unknown } };
}

export interface ParamDoc {
  name: string;
  /** TypeScript-like type text: `number`, `'nevts' | 'sumw' | 'none'`, `string[]`. */
  type: string;
  /** The default as JSON text; undefined when the option has none. */
  default?: string;
  /** Must be given (no default, not optional). */
  required: boolean;
  doc: string;
}

const def = (s: unknown) => (s as ZodLike)._zod.def;

/** The type of a zod schema as TypeScript would write it (functions and custom checks: `function`/`any`). */
export function typeText(s: unknown, depth = 0): string {
  const d = def(s);
  const inner = (k: string) => typeText(d[k], depth + 1);
  switch (d.type) {
    case 'default': case 'optional': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return inner('innerType');
    case 'nullable': return `${inner('innerType')} | null`;
    case 'array': return wrapUnion(inner('element')) + '[]';
    case 'enum': return Object.values(d.entries as Record<string, unknown>).map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
    case 'literal': return (d.values as unknown[]).map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
    case 'union': return (d.options as unknown[]).map((o) => typeText(o, depth + 1)).join(' | ');
    case 'record': return `Record<${inner('keyType')}, ${inner('valueType')}>`;
    case 'tuple': return `[${(d.items as unknown[]).map((o) => typeText(o, depth + 1)).join(', ')}]`;
    case 'pipe': return inner('in');
    case 'lazy': return 'object';
    case 'object': {
      if (depth > 1) return 'object';
      const shape = d.shape as Record<string, unknown>;
      return `{ ${Object.entries(shape).map(([k, v]) => `${k}${isOptional(v) ? '?' : ''}: ${typeText(v, depth + 1)}`).join('; ')} }`;
    }
    case 'number': return /int/.test(String((s as { format?: unknown }).format)) ? 'integer' : 'number';
    case 'custom': return String(d.fn).includes("'function'") ? 'function' : 'custom';
    default: return d.type;
  }
}

function wrapUnion(t: string): string {
  return t.includes(' | ') ? `(${t})` : t;
}

function isOptional(s: unknown): boolean {
  const t = def(s).type;
  return t === 'optional' || t === 'default' || t === 'prefault';
}

function defaultOf(s: unknown): string | undefined {
  let d = def(s);
  while (d.type !== 'default' && d.type !== 'prefault' && 'innerType' in d && d.type !== 'optional') d = def(d.innerType);
  if (d.type !== 'default' && d.type !== 'prefault') return undefined;
  const v = d.defaultValue;
  return v === undefined ? undefined : JSON.stringify(v);
}

/** Rows for the keys of object schema `schema`, doc comments from `source` after `anchor`. */
export function paramDocs(schema: unknown, source = '', anchor?: RegExp): ParamDoc[] {
  const d = def(schema);
  if (d.type !== 'object') return [];
  const docs = anchor ? keyDocs(source, anchor) : new Map<string, string>();
  return Object.entries(d.shape as Record<string, unknown>).map(([name, s]) => {
    const dflt = defaultOf(s);
    const doc = docs.get(name) ?? (s as { description?: string }).description ?? '';
    return { name, type: typeText(s), ...(dflt !== undefined ? { default: dflt } : {}), required: !isOptional(s), doc };
  });
}

/** Doc comments of the top-level keys of the first object literal after `anchor` in `source`. */
export function keyDocs(source: string, anchor: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  const m = anchor.exec(source);
  if (!m) return out;
  let i = source.indexOf('{', m.index + m[0].length - 1);
  if (i < 0) return out;
  let depth = 0;
  let pending: string | undefined;
  for (; i < source.length; i++) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) break;
      if (depth === 1 && source[i + 2] === '*') pending = cleanDoc(source.slice(i + 3, end));
      i = end + 1;
    } else if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === "'" || c === '"' || c === '`') {
      i = skipString(source, i);
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      if (--depth === 0) break;
    } else if (depth === 1 && /[A-Za-z_$]/.test(c)) {
      const key = /^([A-Za-z_$][\w$]*)\s*:/.exec(source.slice(i, i + 80));
      const word = /^[\w$]+/.exec(source.slice(i))![0];
      if (key && pending !== undefined) out.set(key[1]!, pending);
      if (key) pending = undefined;
      i += word.length - 1;
    }
  }
  return out;
}

function skipString(s: string, i: number): number {
  const q = s[i]!;
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === q) return j;
  }
  return s.length;
}

function cleanDoc(text: string): string {
  return text.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
}

// Hashing helpers for cache keys: sha256, a canonical JSON encoding that is stable across runs and
// key order, and source hashes of user functions that ignore formatting and comments.
import { createHash, type Hash } from 'node:crypto';

/** sha256 hex of bytes (a view's bytes only, not its whole buffer) or of a string's UTF-8. */
export function sha256(data: Uint8Array | ArrayBufferView | string): string {
  const h = createHash('sha256');
  updateHash(h, data);
  return h.digest('hex');
}

function updateHash(h: Hash, data: Uint8Array | ArrayBufferView | string): void {
  if (typeof data === 'string') h.update(data, 'utf8');
  else h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** sha256 hex of several byte arrays / strings as one stream (no copy into one buffer). */
export function sha256Concat(parts: Array<Uint8Array | ArrayBufferView | string>): string {
  const h = createHash('sha256');
  for (const p of parts) updateHash(h, p);
  return h.digest('hex');
}

/** Hash of the parts of a cache key (kind, version, params, code hashes, input keys...). */
export function hashKey(parts: unknown[]): string {
  return sha256(canonicalJson(parts));
}

/** Hash of a function's source text, insensitive to whitespace, indentation and comments
 *  (so re-indenting or re-commenting a selection does not invalidate the cache), but
 *  sensitive to everything else, string and template contents included. */
export function functionSourceHash(fn: Function): string {
  return sha256(functionSource(fn));
}

/** Normalised source of a function. Bound functions print as `function () { [native code] }`
 *  whatever they wrap, so they would all hash alike: refused, with the function's name. */
function functionSource(fn: Function): string {
  const src = fn.toString();
  if (fn.name.startsWith('bound ') && src.includes('[native code]')) {
    throw new TypeError(`cannot hash the source of '${fn.name}': a bound function hides its code; pass an arrow function instead`);
  }
  return normaliseSource(src);
}

/** Deterministic JSON text of a value, for hashing:
 *  - object keys sorted (keys starting with `$` are escaped as `$$...` so they never collide
 *    with the tags below); `undefined` members, symbols and symbol keys dropped;
 *  - numbers as JavaScript prints them (shortest round trip; -0 as 0); NaN and ±Infinity as
 *    {"$num":"NaN"}; bigint as {"$bigint":"123"};
 *  - typed arrays, DataView and ArrayBuffer as {"$bytes": type, "n": length, "sha256": hash of
 *    their bytes} (fast for large arrays, one hash pass over the memory);
 *  - Map as {"$map": [[k, v]...]} and Set as {"$set": [...]}, sorted by the canonical text of the
 *    key / element so insertion order does not matter;
 *  - Date as {"$date": ISO}, RegExp as {"$regexp": "/src/flags"}, functions as {"$fn": normalised
 *    source};
 *  - objects with toJSON are encoded through it; other class instances by their own enumerable
 *    properties plus {"$class": constructor name}.
 *  Cycles throw a TypeError naming the path. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  encode(value, out, '$', new Set());
  return out.join('');
}

function encode(v: unknown, out: string[], path: string, stack: Set<object>): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      if (Number.isFinite(v)) out.push(Object.is(v, -0) ? '0' : JSON.stringify(v));
      else out.push(`{"$num":"${String(v)}"}`);
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(`{"$bigint":"${v.toString()}"}`);
      return;
    case 'undefined':
    case 'symbol':
      out.push('null'); // only reached inside arrays (object members are dropped), as JSON.stringify
      return;
    case 'function':
      out.push(`{"$fn":${JSON.stringify(functionSource(v))}}`);
      return;
  }
  if (v === null) {
    out.push('null');
    return;
  }
  const obj = v as object;
  if (ArrayBuffer.isView(obj)) {
    out.push(`{"$bytes":"${obj.constructor.name}","n":${'length' in obj ? Number(obj.length) : obj.byteLength},"sha256":"${sha256(obj)}"}`);
    return;
  }
  if (obj instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer)) {
    out.push(`{"$bytes":"${obj.constructor.name}","n":${obj.byteLength},"sha256":"${sha256(new Uint8Array(obj))}"}`);
    return;
  }
  if (obj instanceof Date) {
    out.push(`{"$date":${JSON.stringify(Number.isNaN(obj.getTime()) ? 'Invalid' : obj.toISOString())}}`);
    return;
  }
  if (obj instanceof RegExp) {
    out.push(`{"$regexp":${JSON.stringify(String(obj))}}`);
    return;
  }
  if (stack.has(obj)) throw new TypeError(`canonicalJson: cycle at ${path}`);
  stack.add(obj);
  try {
    if (Array.isArray(obj)) {
      out.push('[');
      for (let i = 0; i < obj.length; i++) {
        if (i > 0) out.push(',');
        encode(obj[i], out, `${path}[${i}]`, stack);
      }
      out.push(']');
    } else if (obj instanceof Map) {
      const items = [...obj].map(([k, val], i) => [sub(k, `${path}.<key ${i}>`, stack), sub(val, `${path}.<value ${i}>`, stack)]);
      items.sort((a, b) => compareStrings(a[0]!, b[0]!) || compareStrings(a[1]!, b[1]!));
      out.push(`{"$map":[${items.map(([k, val]) => `[${k},${val}]`).join(',')}]}`);
    } else if (obj instanceof Set) {
      const items = [...obj].map((x, i) => sub(x, `${path}.<element ${i}>`, stack));
      items.sort(compareStrings);
      out.push(`{"$set":[${items.join(',')}]}`);
    } else if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      encode((obj as { toJSON(): unknown }).toJSON(), out, path, stack);
    } else {
      encodeObject(obj, out, path, stack);
    }
  } finally {
    stack.delete(obj);
  }
}

function encodeObject(obj: object, out: string[], path: string, stack: Set<object>): void {
  const proto = Object.getPrototypeOf(obj);
  const members: Array<[string, string]> = [];
  if (proto !== null && proto !== Object.prototype) {
    members.push(['$class', JSON.stringify((obj.constructor as { name?: string } | undefined)?.name ?? '?')]);
  }
  for (const key of Object.keys(obj)) {
    const val = (obj as Record<string, unknown>)[key];
    if (val === undefined || typeof val === 'symbol') continue;
    const name = key.startsWith('$') ? `$${key}` : key;
    members.push([name, sub(val, `${path}.${key}`, stack)]);
  }
  members.sort((a, b) => compareStrings(a[0], b[0]));
  out.push('{');
  members.forEach(([k, val], i) => out.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:${val}`));
  out.push('}');
}

function sub(v: unknown, path: string, stack: Set<object>): string {
  const out: string[] = [];
  encode(v, out, path, stack);
  return out.join('');
}

// Code-unit order, independent of locale (localeCompare is not).
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NO_LINE_BREAK_AFTER = new Set(['return', 'break', 'continue', 'throw', 'yield', 'async']);
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
// Tokens after which a `/` starts a division, not a regular expression.
const DIVISION_AFTER = /[A-Za-z0-9_$)\]}'"`\u0080-\uffff]$/;
const REGEX_KEYWORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'instanceof', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'of']);

/** Source text with comments removed and whitespace collapsed: a whitespace run becomes one space
 *  where both neighbours are word characters or both operator characters (`a - -b`), and
 *  disappears elsewhere. Line breaks are kept (as one `\n`) only where automatic semicolon
 *  insertion can make two valid programs differ by a line break alone: after return, break,
 *  continue, throw, yield, async, and next to `+`/`-` (postfix ++/--). Elsewhere a line break that
 *  ends a statement leaves text that is not a valid program without it, so no collision.
 *  String, template and regular-expression literals are kept verbatim. */
export function normaliseSource(src: string): string {
  const out: string[] = [];
  let pendingWs = ''; // '' | ' ' | '\n'
  const braceStack: number[] = []; // template nesting: depth of `{` inside each `${`
  let i = 0;
  const n = src.length;
  const last = (): string => (out.length ? out[out.length - 1]! : '');
  const emit = (tok: string): void => {
    if (pendingWs) {
      const prev = last().slice(-1);
      const next = tok[0]!;
      if (pendingWs === '\n' && out.length && (NO_LINE_BREAK_AFTER.has(lastToken(out)) || prev === '+' || prev === '-' || next === '+' || next === '-')) out.push('\n');
      else if (prev && ((WORD.test(prev) && WORD.test(next)) || (isOp(prev) && isOp(next)))) out.push(' ');
      pendingWs = '';
    }
    out.push(tok);
  };
  const readTemplate = (start: number): number => {
    // from just after a backtick or a closing `}` of `${`, up to and including the closing backtick or `${`
    let j = start;
    while (j < n) {
      const c = src[j]!;
      if (c === '\\') j += 2;
      else if (c === '`') return j + 1;
      else if (c === '$' && src[j + 1] === '{') {
        braceStack.push(0);
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff' || c === '\u2028' || c === '\u2029') {
      if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') pendingWs = '\n';
      else if (!pendingWs) pendingWs = ' ';
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      if (!pendingWs) pendingWs = ' ';
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const body = src.slice(i, end < 0 ? n : end + 2);
      pendingWs = /[\n\r\u2028\u2029]/.test(body) ? '\n' : pendingWs || ' ';
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      emit(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = readTemplate(i + 1);
      emit(src.slice(i, j));
      i = j;
    } else if (c === '/' && startsRegex(lastToken(out))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j]!;
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < n && WORD.test(src[j]!)) j++; // flags
      emit(src.slice(i, j));
      i = j;
    } else if (c === '{' && braceStack.length) {
      braceStack[braceStack.length - 1]!++;
      emit(c);
      i++;
    } else if (c === '}' && braceStack.length && braceStack[braceStack.length - 1] === 0) {
      braceStack.pop();
      const j = readTemplate(i + 1); // template continues after `${ ... }`
      emit(src.slice(i, j));
      i = j;
    } else {
      if (c === '}' && braceStack.length) braceStack[braceStack.length - 1]!--;
      let j = i + 1;
      if (WORD.test(c)) while (j < n && WORD.test(src[j]!)) j++;
      emit(src.slice(i, j));
      i = j;
    }
  }
  return out.join('');
}

function isOp(c: string): boolean {
  return '+-*/%<>=!&|^~?:.'.includes(c);
}

function lastToken(out: string[]): string {
  for (let k = out.length - 1; k >= 0; k--) if (out[k] !== ' ' && out[k] !== '\n') return out[k]!;
  return '';
}

function startsRegex(prevToken: string): boolean {
  if (!prevToken || REGEX_KEYWORDS.has(prevToken)) return true;
  return !DIVISION_AFTER.test(prevToken);
}

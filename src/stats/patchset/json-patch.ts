// RFC 6902 JSON Patch (the operations of a pyhf patch) over RFC 6901 JSON Pointers, applied to a
// copy: add, remove, replace, move, copy, test. Errors name the operation and its path.
import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../../errors.ts';

export type PatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; path: string; from: string };

type Container = Record<string, unknown> | unknown[];

/** '/channels/0/samples/-' -> ['channels', '0', 'samples', '-'] (~1 is '/', ~0 is '~'). */
export function pointerTokens(pointer: string, where: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new UserError(`${where}: JSON pointer '${pointer}' must start with '/'`);
  return pointer.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, where: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new UserError(`${where}: '${token}' is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new UserError(`${where}: index ${i} is out of range (array of ${arr.length})`);
  return i;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, tokens: string[], where: string): [Container, string] {
  let v = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(v)) v = v[arrayIndex(v, t, false, where)];
    else if (v !== null && typeof v === 'object' && Object.hasOwn(v, t)) v = (v as Record<string, unknown>)[t];
    else throw new UserError(`${where}: no member '${t}'`);
  }
  if (v === null || typeof v !== 'object') throw new UserError(`${where}: the parent is not an object or array`);
  return [v as Container, tokens.at(-1)!];
}

function get(doc: unknown, pointer: string, where: string): unknown {
  const tokens = pointerTokens(pointer, where);
  if (tokens.length === 0) return doc;
  const [c, t] = parentOf(doc, tokens, where);
  if (Array.isArray(c)) return c[arrayIndex(c, t, false, where)];
  if (!Object.hasOwn(c, t)) throw new UserError(`${where}: no member '${t}'`);
  return c[t];
}

function remove(doc: unknown, pointer: string, where: string): unknown {
  const [c, t] = parentOf(doc, pointerTokens(pointer, where), where);
  if (Array.isArray(c)) return c.splice(arrayIndex(c, t, false, where), 1)[0];
  if (!Object.hasOwn(c, t)) throw new UserError(`${where}: no member '${t}' to remove`);
  const v = c[t];
  delete c[t];
  return v;
}

/** Returns the new document (a root replacement returns the value). */
function add(doc: unknown, pointer: string, value: unknown, where: string, replace: boolean): unknown {
  const tokens = pointerTokens(pointer, where);
  if (tokens.length === 0) return value;
  const [c, t] = parentOf(doc, tokens, where);
  if (Array.isArray(c)) {
    const i = arrayIndex(c, t, !replace, where);
    c.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !Object.hasOwn(c, t)) throw new UserError(`${where}: no member '${t}' to replace`);
    c[t] = value;
  }
  return doc;
}

/** The document with the operations applied in order (the input is not modified). */
export function applyJsonPatch(doc: unknown, ops: readonly PatchOperation[], where = 'patch'): unknown {
  let out = structuredClone(doc);
  ops.forEach((o, k) => {
    const at = `${where}: operation ${k} (${o.op} ${o.path})`;
    switch (o.op) {
      case 'add': out = add(out, o.path, structuredClone(o.value), at, false); break;
      case 'replace': out = add(out, o.path, structuredClone(o.value), at, true); break;
      case 'remove': remove(out, o.path, at); break;
      case 'move': {
        if (o.path.startsWith(`${o.from}/`)) throw new UserError(`${at}: cannot move '${o.from}' into itself`);
        out = add(out, o.path, remove(out, o.from, at), at, false);
        break;
      }
      case 'copy': out = add(out, o.path, structuredClone(get(out, o.from, at)), at, false); break;
      case 'test': {
        if (!isDeepStrictEqual(get(out, o.path, at), o.value)) throw new UserError(`${at}: test failed: the value differs`);
        break;
      }
    }
  });
  return out;
}

// What a graph's user functions can see besides their own source: module-level constants and
// helpers of the graph module (`const LUMI = 3378` used inside a weight function) and the local
// modules it imports. A function's source hash cannot see them, so their text is hashed into the
// "code" part of every node that carries functions. Edits inside the builder stay precise (only the
// nodes whose params or functions changed recompute); edits outside it recompute the nodes with
// functions (conservative, never stale). Comments and formatting do not count.
import { readFileSync, existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseSource, sha256 } from '../../cache/hash.ts';
import { moduleExt } from '../module-ext.ts';

const API = fileURLToPath(new URL(`../index${moduleExt(import.meta.url)}`, import.meta.url));

/** Position of the builder's (type-stripped) source in the raw module text: type stripping replaces
 *  types by blanks of the same length, so the texts agree except where the stripped one is blank. */
function locate(raw: string, fn: string): number {
  if (!fn) return -1;
  const exact = raw.indexOf(fn);
  if (exact >= 0) return exact;
  const head = fn.slice(0, Math.max(1, fn.search(/\s/)));
  for (let i = raw.indexOf(head); i >= 0; i = raw.indexOf(head, i + 1)) {
    let ok = i + fn.length <= raw.length;
    for (let k = 0; ok && k < fn.length; k++) {
      const c = fn.charCodeAt(k);
      if (c !== raw.charCodeAt(i + k) && c !== 32 && c !== 10 && c !== 13 && c !== 9) ok = false;
    }
    if (ok) return i;
  }
  return -1;
}

/** Relative import specifiers (`from './x.ts'`, `import('../y.ts')`): group 2 is the specifier. */
export const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

export interface ModuleContext {
  /** Hash of the module outside the builder plus its direct local imports ('' if unreadable). */
  hash: string;
  /** Names declared at the top level of the module (declarations at column 0) and imported
   *  bindings: a function whose source uses none of them cannot depend on the module context. */
  names: string[];
}

const TOP_DECL = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:const|let|var|function\s*\*?|class|enum)\s*([A-Za-z_$][\w$]*|\{[^}]*\}|\[[^\]]*\])/gm;
const IMPORT_CLAUSE = /^\s*import\s+(?!type\s)([^'";]*?)\s+from\s*['"]/gm;
const IDENT = /[A-Za-z_$][\w$]*/g;

function topLevelNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(TOP_DECL)) for (const id of m[1]!.match(IDENT) ?? []) names.add(id);
  for (const m of text.matchAll(IMPORT_CLAUSE)) {
    // `a, { b as c, type D }` / `* as ns`: every identifier but the keywords (over-inclusion is safe)
    for (const id of m[1]!.match(IDENT) ?? []) if (id !== 'as' && id !== 'type') names.add(id);
  }
  return [...names];
}

/** Identifiers a function's source uses (comments and string contents left out). */
export function sourceIdentifiers(src: string): Set<string> {
  // quoted strings out (template literals stay: their `${}` parts are code); a named function's
  // own name in its header is not a use
  const code = normaliseSource(src)
    .replace(/(['"])(?:\\.|(?!\1)[^\\])*\1/g, '""')
    .replace(/^(?:async\s*)?function\s*\*?\s*[A-Za-z_$][\w$]*/, 'function');
  return new Set(code.match(IDENT) ?? []);
}

export function moduleContext(path: string, builder: Function): ModuleContext {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return { hash: '', names: [] };
  }
  const fn = builder.toString();
  const at = locate(raw, fn);
  const outside = at >= 0 ? raw.slice(0, at) + raw.slice(at + fn.length) : raw;
  const parts = [normaliseSource(outside)];
  for (const m of raw.matchAll(IMPORT)) {
    const dep = resolve(dirname(path), m[2]!);
    // realpath: a shipped copy of the graph (src/scaleout/bundle.ts) reaches hepflow through symlinks
    if (!existsSync(dep) || realpathSync(dep) === API) continue;
    try {
      parts.push(`${m[2]}:${sha256(normaliseSource(readFileSync(dep, 'utf8')))}`);
    } catch {
      /* a directory or unreadable: the import itself fails at load time */
    }
  }
  return { hash: sha256(parts.join('\n')), names: topLevelNames(outside) };
}

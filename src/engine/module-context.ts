// What a graph's user functions can see besides their own source: module-level constants and
// helpers of the graph module (`const LUMI = 3378` used inside a weight function) and the local
// modules it imports. A function's source hash cannot see them, so their text is hashed into the
// "code" part of every node that carries functions. Edits inside the builder stay precise (only the
// nodes whose params or functions changed recompute); edits outside it recompute the nodes with
// functions (conservative, never stale). Comments and formatting do not count.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseSource, sha256 } from '../../cache/hash.ts';

const API = fileURLToPath(new URL('../index.ts', import.meta.url));

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

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** Hash of the graph module without its builder function, plus the local modules it imports. */
export function moduleContextHash(path: string, builder: Function): string {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const fn = builder.toString();
  const at = locate(raw, fn);
  const outside = at >= 0 ? raw.slice(0, at) + raw.slice(at + fn.length) : raw;
  const parts = [normaliseSource(outside)];
  for (const m of raw.matchAll(IMPORT)) {
    const dep = resolve(dirname(path), m[2]!);
    if (dep === API || !existsSync(dep)) continue;
    try {
      parts.push(`${m[2]}:${sha256(normaliseSource(readFileSync(dep, 'utf8')))}`);
    } catch {
      /* a directory or unreadable: the import itself fails at load time */
    }
  }
  return sha256(parts.join('\n'));
}

// The digest pyhf puts in a patchset (pyhf.utils.digest): a hash of
// `json.dumps(workspace, sort_keys=True, ensure_ascii=False)` as Python writes it. Python keeps
// whether a number was written as an integer or a float (`1` vs `1.0`) and prints floats with its
// own repr (`1e-05`, `1e+16`), so the text is rebuilt from the file's own number literals, not from
// JavaScript numbers (JSON.stringify would print `1.0` as `1` and give another digest).
import { createHash } from 'node:crypto';

/** A number as Python's json module loads it: an int or a float. */
class PyNumber {
  readonly value: number;
  readonly source: string;
  constructor(value: number, source: string) { this.value = value; this.source = source; }
  get isFloat(): boolean { return /[.eE]/.test(this.source); }
}

/** JSON text parsed with every number kept as a PyNumber. */
export function parsePythonJson(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' ? new PyNumber(value, context?.source ?? String(value)) : value);
}

/** Python's repr of a float (the 'r' format: shortest round-trip digits, exponent form when the
 *  decimal point would sit below 1e-4 or at 1e16 and above, '.0' for integral values). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1; // x = 0.digits x 10^decpt
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** json.dumps(value, sort_keys=True, ensure_ascii=False) of a parsePythonJson tree (or plain JSON,
 *  whose numbers then print as Python ints when integral). */
export function pythonDumps(value: unknown): string {
  if (value instanceof PyNumber) return value.isFloat ? pythonFloatRepr(value.value) : BigInt(value.source).toString();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}: ${pythonDumps(o[k])}`).join(', ')}}`;
}

/** pyhf.utils.digest of JSON text: `algorithm` (md5, sha256, ...) of Python's sorted dump. */
export function pythonDigest(text: string, algorithm: string): string {
  return createHash(algorithm).update(pythonDumps(parsePythonJson(text)), 'utf8').digest('hex');
}

/** A parsePythonJson tree back to plain JSON values. */
export function plainJson(value: unknown): unknown {
  if (value instanceof PyNumber) return value.value;
  if (Array.isArray(value)) return value.map(plainJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainJson(v)]));
}

// Human sizes and durations for `flow cache gc --max-size 2GB --older-than 7d` and for `ls`/`stats`.

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000, sec: 1000,
  m: 60_000, min: 60_000,
  h: 3600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses `2GB`, `500MB`, `1.5g`, `1024` (bytes); units are powers of 1024 (KB = KiB).
 *  Throws an Error whose message says what was expected. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`invalid size '${text}' (expected a number with a unit, like 500MB, 2GB, 1.5TB or 1024 for bytes)`);
  return Math.floor(Number(m[1]) * unit);
}

/** Parses `7d`, `12h`, `30m`, `45s`, `2w`, `1d12h`. A bare number is refused (ambiguous). */
export function parseDuration(text: string): number {
  const parts = /^\s*((?:\d+(?:\.\d+)?\s*[a-z]+\s*)+)$/i.exec(text);
  if (!parts) throw new Error(`invalid duration '${text}' (expected a number with a unit, like 7d, 12h, 30m, 45s or 2w)`);
  let ms = 0;
  for (const [, num, unitText] of parts[1]!.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const unit = DURATION_UNITS[unitText!.toLowerCase()];
    if (unit === undefined) throw new Error(`invalid duration '${text}': unknown unit '${unitText}' (use ms, s, m, h, d or w)`);
    ms += Number(num) * unit;
  }
  return ms;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Compact age: 42s, 5m, 3h, 2d, 6w. */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  if (s < 14 * 86_400) return `${Math.floor(s / 86_400)}d`;
  return `${Math.floor(s / (7 * 86_400))}w`;
}

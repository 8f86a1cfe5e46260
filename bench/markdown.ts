// The tables of a bench run: every figure (bench/results.md), and the README's performance table
// (the headline figures, scripts/bench-readme.mjs), each with the command, machine and date above.

export interface GroupFigure {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface RunAbout {
  /** The command, e.g. `npm run bench -- all` (quick sizes). */
  how: string;
  machine: string;
  /** ISO date of the run. */
  date: string;
  seconds: number;
}

/** The figures the README shows (the rest are in bench/results.md). */
export const HEADLINES: readonly RegExp[] = [
  /^startup\.(floor_node_s|hzz_noop_s|hzz_noop_cpu_s|hzz_noop_fraction|inspect_small_s|fit_small_s|limit_small_s|inspect_sbottom_s|fit_sbottom_s)$/,
  /^engine\.(noop_rerun_s|noop_rerun_fraction|cache_overhead_ms_per_chunk)$/,
  /^root\.read_(zstd|zlib|lz4)_mb_per_s$/,
  /^root\.read_((zstd|zlib|lz4)_)?vs_(jsroot|bare_decompress)$/,
  /^events\.agc_khz_(per_core|2_workers)$/,
  /^stats\.fit(_minuit)?\.median_speedup_vs_pyhf$/,
  /^stats\.fit\.synthetic_200ch_x_20bins(_staterror)?$/,
  /^scaleout\.(job_ms|jobs_per_s)$/,
  /^remote\.(root|http)_vs_local$/,
];

/** 4 significant digits (timings carry float noise), integers as they are. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** `|` and line breaks would break a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function header(about: RunAbout): string[] {
  return [`Figures of ${about.how} on ${about.date.slice(0, 10)} (${about.machine}; ${about.seconds} s in all). Each ratio is against the peer timed in the same run.`, ''];
}

function rowsOf(rows: readonly GroupFigure[]): string[] {
  return rows.map((r) => `| \`${cell(r.name)}\` | ${formatValue(r.value)}${r.unit ? ` ${cell(r.unit)}` : ''} | ${cell(r.note ?? '')} |`);
}

/** Every figure, grouped as the run gave them. */
export function markdownTable(rows: readonly GroupFigure[], about: RunAbout): string {
  return `${[...header(about), '| figure | value | note |', '|---|---:|---|', ...rowsOf(rows)].join('\n')}\n`;
}

/** The README's table: the headline figures, then where the others are. */
export function readmeTable(rows: readonly GroupFigure[], about: RunAbout, allFile: string): string {
  const shown = rows.filter((r) => HEADLINES.some((re) => re.test(r.name)));
  return [...header(about), '| figure | value | note |', '|---|---:|---|', ...rowsOf(shown), '', `All ${rows.length} figures of that run: [${allFile}](${allFile}).`].join('\n');
}

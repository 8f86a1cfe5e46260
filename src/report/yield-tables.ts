// Yield tables as cabinetry's tabulate.yields makes them: per bin (columns channel_bin_i) and per
// channel, rows the samples, the total and the data, cells "yield ± uncertainty" of a pre- or
// post-fit prediction; written as markdown, CSV and LaTeX.
import type { Prediction } from './artifacts.ts';

export interface YieldCell { value: number; error?: number }
export interface YieldTable { title: string; columns: string[]; rows: Array<{ label: string; cells: YieldCell[] }> }

/** Per-bin and per-channel tables of a prediction (sample order: as the first channel lists them). */
export function yieldTables(pred: Prediction): { bins: YieldTable; channels: YieldTable } {
  const samples = [...new Set(pred.channels.flatMap((c) => c.samples.map((s) => s.name)))];
  const binColumns = pred.channels.flatMap((c) => c.total.map((_, i) => `${c.name} bin ${i + 1}`));
  const perBin = (pick: (c: Prediction['channels'][number]) => YieldCell[]) => pred.channels.flatMap(pick);
  const zeros = (n: number) => Array.from({ length: n }, () => ({ value: 0, error: 0 }));
  const bins: YieldTable = {
    title: `${pred.label} yields per bin`, columns: binColumns,
    rows: [
      ...samples.map((name) => ({ label: name, cells: perBin((c) => { const s = c.samples.find((x) => x.name === name); return s ? s.yields.map((v, i) => ({ value: v, error: s.uncertainty[i]! })) : zeros(c.total.length); }) })),
      { label: 'total', cells: perBin((c) => c.total.map((v, i) => ({ value: v, error: c.uncertainty[i]! }))) },
      { label: 'data', cells: perBin((c) => c.data.map((v) => ({ value: v }))) },
    ],
  };
  const channels: YieldTable = {
    title: `${pred.label} yields per channel`, columns: pred.channels.map((c) => c.name),
    rows: [
      ...samples.map((name) => ({ label: name, cells: pred.channels.map((c) => { const s = c.samples.find((x) => x.name === name); return s ? { value: s.sum, error: s.sumUncertainty } : { value: 0, error: 0 }; }) })),
      { label: 'total', cells: pred.channels.map((c) => ({ value: c.sum, error: c.sumUncertainty })) },
      { label: 'data', cells: pred.channels.map((c) => ({ value: c.data.reduce((a, b) => a + b, 0) })) },
    ],
  };
  return { bins, channels };
}

/** cabinetry's cell format: two decimals, "± error" where there is one. */
export function formatCell(c: YieldCell, plusMinus = '±'): string {
  return c.error === undefined ? c.value.toFixed(2) : `${c.value.toFixed(2)} ${plusMinus} ${c.error.toFixed(2)}`;
}

export function toMarkdown(t: YieldTable): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [row(['sample', ...t.columns]), row(['---', ...t.columns.map(() => '---:')]), ...t.rows.map((r) => row([r.label, ...r.cells.map((c) => formatCell(c))]))].join('\n') + '\n';
}

/** CSV: value and uncertainty in separate columns (machine-readable). */
export function toCsv(t: YieldTable): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const header = ['sample', ...t.columns.flatMap((c) => [c, `${c} uncertainty`])].map(q).join(',');
  return [header, ...t.rows.map((r) => [q(r.label), ...r.cells.flatMap((c) => [String(c.value), c.error === undefined ? '' : String(c.error)])].join(','))].join('\n') + '\n';
}

export function toLatex(t: YieldTable): string {
  const esc = (s: string) => s.replace(/([&%$#_{}])/g, '\\$1');
  const lines = [
    `\\begin{tabular}{l${'r'.repeat(t.columns.length)}}`, '\\hline',
    `sample & ${t.columns.map(esc).join(' & ')} \\\\`, '\\hline',
    ...t.rows.map((r, k) => `${k === t.rows.length - 2 ? '\\hline\n' : ''}${esc(r.label)} & ${r.cells.map((c) => formatCell(c, '$\\pm$')).join(' & ')} \\\\`),
    '\\hline', '\\end{tabular}',
  ];
  return lines.join('\n') + '\n';
}

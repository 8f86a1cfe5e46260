// Datacard model -> Combine text card, columns aligned so it reads like a hand-written card.
import type { Datacard, DatacardEffect } from './datacard-model.ts';

const SEPARATOR = '-'.repeat(80);

/** 8 significant digits (98677.616, 1.025, 0.00012345679): a card is read by people and its
 *  yields carry no more; integers and short decimals are written as they are. */
export const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(8))) : String(x));

const effectText = (e: DatacardEffect | null): string => (e === null ? '-' : typeof e === 'number' ? fmt(e) : `${fmt(e.down)}/${fmt(e.up)}`);

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

export interface WriteDatacardOptions {
  /** comment lines written at the top (without '#') */
  header?: string[];
}

/** Writes a card that parseDatacard reads back to the same model. */
export function writeDatacard(card: Datacard, opts: WriteDatacardOptions = {}): string {
  const out: string[] = [];
  for (const h of opts.header ?? []) out.push(`# ${h}`);
  out.push(`imax ${card.imax} number of channels`);
  out.push(`jmax ${card.jmax} number of processes minus 1`);
  out.push(`kmax ${card.kmax} number of nuisance parameters`);
  out.push(SEPARATOR);
  if (card.shapes.length > 0) {
    out.push(...table(card.shapes.map((s) => ['shapes', s.process, s.channel, s.file, ...(s.histogram !== '' ? [s.histogram] : []), ...(s.histogramWithSystematics !== undefined ? [s.histogramWithSystematics] : [])])));
    out.push(SEPARATOR);
  }
  const obsRows = [['bin', ...card.bins]];
  if (card.observations !== null) obsRows.push(['observation', ...card.observations.map(fmt)]);
  out.push(...table(obsRows));
  out.push(SEPARATOR);

  // the column block and the nuisance lines share one alignment
  const lead = (name: string, type: string, extra = ''): string[] => [name, extra === '' ? type : `${type} ${extra}`];
  const rows: string[][] = [
    ['bin', '', ...card.columns.map((c) => c.bin)],
    ['process', '', ...card.columns.map((c) => c.process)],
    ['process', '', ...card.columns.map((c) => String(c.id))],
    ['rate', '', ...card.columns.map((c) => fmt(c.rate))],
  ];
  for (const u of card.uncertainties) {
    rows.push([...lead(u.name, u.type, u.gmN !== undefined ? String(u.gmN) : ''), ...u.effects.map(effectText)]);
  }
  const lines = table(rows);
  out.push(...lines.slice(0, 4), SEPARATOR, ...lines.slice(4));

  const tail: string[][] = [];
  for (const r of card.rateParams) {
    const last = typeof r.value === 'number' ? (r.range !== undefined ? `[${fmt(r.range[0])},${fmt(r.range[1])}]` : '') : (r.args ?? '');
    tail.push([r.name, 'rateParam', r.bin, r.process, typeof r.value === 'number' ? fmt(r.value) : r.value, ...(last !== '' ? [last] : [])]);
  }
  for (const p of card.params) {
    tail.push([p.name, 'param', fmt(p.mean), typeof p.sigma === 'number' ? fmt(p.sigma) : p.sigma, ...(p.range !== undefined ? [`[${fmt(p.range[0])},${fmt(p.range[1])}]`] : [])]);
  }
  for (const a of card.autoMCStats) tail.push([a.channel, 'autoMCStats', fmt(a.threshold), a.includeSignal ? '1' : '0', fmt(a.histMode)]);
  for (const g of card.groups) tail.push([g.name, 'group', '=', ...g.members]);
  if (tail.length > 0 || card.other.length > 0) {
    out.push(SEPARATOR);
    out.push(...tail.map((row) => row.join(' ')), ...card.other);
  }
  return `${out.join('\n')}\n`;
}

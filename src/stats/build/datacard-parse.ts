// Text datacard -> Datacard model, following Combine's DatacardParser conventions: '#' starts a
// comment, lines of dashes separate sections, words after the last column are a free description.
import { UserError } from '../../errors.ts';
import { UNCERTAINTY_TYPES } from './datacard-model.ts';
import type { Datacard, DatacardColumn, DatacardEffect, UncertaintyType } from './datacard-model.ts';

function fail(source: string, line: number, message: string): never {
  throw new UserError(`${source}:${line}: ${message}`);
}

function num(token: string | undefined, source: string, line: number, what: string): number {
  const v = token === undefined ? NaN : Number(token);
  if (token === undefined || token === '' || !Number.isFinite(v)) fail(source, line, `${what}: expected a number, got "${token ?? ''}"`);
  return v;
}

function sizeValue(token: string | undefined, source: string, line: number, key: string): number | '*' {
  if (token === '*') return '*';
  const v = num(token, source, line, key);
  if (!Number.isInteger(v) || v < 0) fail(source, line, `${key}: expected a count or *, got "${token}"`);
  return v;
}

function parseRange(token: string, source: string, line: number, what: string): [number, number] {
  const m = /^\[\s*([^,\]]+)\s*,\s*([^\]]+)\s*\]$/.exec(token);
  if (m === null) fail(source, line, `${what}: expected a range [lo,hi], got "${token}"`);
  return [num(m[1], source, line, what), num(m[2], source, line, what)];
}

function parseEffect(token: string, source: string, line: number, what: string): DatacardEffect | null {
  if (token === '-') return null;
  const slash = token.indexOf('/');
  if (slash > 0) return { down: num(token.slice(0, slash), source, line, what), up: num(token.slice(slash + 1), source, line, what) };
  return num(token, source, line, what);
}

/** Removes a trailing `# comment` (a '#' that starts a word) and splits on whitespace. */
function tokens(line: string): string[] {
  const hash = line.search(/(^|\s)#/);
  const body = hash < 0 ? line : line.slice(0, hash);
  return body.trim().split(/\s+/).filter((t) => t !== '');
}

const isIntToken = (t: string): boolean => /^[+-]?\d+$/.test(t);

/** Parses a Combine text datacard. `source` (a file name) prefixes error messages. */
export function parseDatacard(text: string, source = 'datacard'): Datacard {
  const card: Datacard = {
    imax: '*', jmax: '*', kmax: '*', shapes: [], bins: [], observations: null, columns: [],
    uncertainties: [], rateParams: [], params: [], autoMCStats: [], groups: [], other: [],
  };
  let columnBins: string[] | null = null;
  const processRows: string[][] = [];
  let rates: number[] | null = null;
  let observationTokens: string[] | null = null;
  const lines = text.split(/\r?\n/);

  const columnsReady = (lineNo: number): number => {
    if (card.columns.length > 0) return card.columns.length;
    if (columnBins === null && observationTokens === null && card.bins.length > 0) {
      // no observation line: the only "bin" line was the column one
      columnBins = card.bins;
      card.bins = [];
    }
    if (columnBins === null || processRows.length !== 2 || rates === null) {
      fail(source, lineNo, 'nuisance line before the bin / process / process / rate block');
    }
    const [a, b] = processRows as [string[], string[]];
    const idsFirst = a.every(isIntToken) && !b.every(isIntToken);
    const names = idsFirst ? b : a;
    const ids = idsFirst ? a : b;
    if (!ids.every(isIntToken)) fail(source, lineNo, 'one of the two "process" lines must hold integer process ids');
    const n = columnBins.length;
    for (const [what, row] of [['process names', names], ['process ids', ids], ['rate', rates]] as const) {
      if (row.length !== n) fail(source, lineNo, `${what}: ${row.length} entries for ${n} bin columns`);
    }
    for (let i = 0; i < n; i++) {
      const column: DatacardColumn = { bin: columnBins[i]!, process: names[i]!, id: Number(ids[i]), rate: rates[i]! };
      if (!card.bins.includes(column.bin) && card.bins.length > 0) fail(source, lineNo, `column ${i + 1}: bin "${column.bin}" has no observation`);
      card.columns.push(column);
    }
    if (card.bins.length === 0) card.bins = [...new Set(columnBins)];
    return n;
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#') || /^-{3,}/.test(raw)) continue;
    const f = tokens(raw);
    if (f.length === 0) continue;
    const key = f[0]!;
    if (key === 'imax' || key === 'jmax' || key === 'kmax') {
      card[key] = sizeValue(f[1], source, lineNo, key);
    } else if (key === 'shapes') {
      // `shapes * * FAKE` (counting channels) has no histogram
      if (f.length < 5 && !(f.length === 4 && f[3] === 'FAKE')) fail(source, lineNo, 'shapes: expected "shapes process channel file histogram [histogram_with_systematics]"');
      card.shapes.push({ process: f[1]!, channel: f[2]!, file: f[3]!, histogram: f[4] ?? '', ...(f[5] !== undefined ? { histogramWithSystematics: f[5] } : {}) });
    } else if (key === 'bin' && observationTokens === null && columnBins === null && processRows.length === 0) {
      card.bins = f.slice(1);
    } else if (key === 'observation') {
      observationTokens = f.slice(1);
      if (card.bins.length === 0) fail(source, lineNo, 'observation before the "bin" line');
      if (observationTokens.length < card.bins.length) fail(source, lineNo, `observation: ${observationTokens.length} values for ${card.bins.length} bins`);
      card.observations = card.bins.map((_, k) => num(observationTokens![k], source, lineNo, `observation of bin "${card.bins[k]}"`));
    } else if (key === 'bin') {
      columnBins = f.slice(1);
    } else if (key === 'process') {
      if (processRows.length === 2) fail(source, lineNo, 'a third "process" line');
      processRows.push(f.slice(1));
    } else if (key === 'rate') {
      rates = f.slice(1).map((t, k) => num(t, source, lineNo, `rate of column ${k + 1}`));
    } else if (key === 'nuisance' && f[1] === 'edit') {
      card.other.push(f.join(' '));
    } else {
      const type = f[1];
      if (type === undefined) fail(source, lineNo, `"${key}": missing type`);
      if (type === 'autoMCStats') {
        card.autoMCStats.push({
          channel: key,
          threshold: num(f[2], source, lineNo, 'autoMCStats threshold'),
          includeSignal: f[3] === undefined ? false : num(f[3], source, lineNo, 'autoMCStats include_signal') !== 0,
          histMode: f[4] === undefined ? 1 : num(f[4], source, lineNo, 'autoMCStats hist_mode'),
        });
      } else if (type === 'rateParam') {
        if (f.length < 5) fail(source, lineNo, `rateParam "${key}": expected "name rateParam bin process value [range]"`);
        const valueToken = f[4]!;
        const asNumber = Number(valueToken);
        if (Number.isFinite(asNumber) && valueToken !== '') {
          card.rateParams.push({ name: key, bin: f[2]!, process: f[3]!, value: asNumber, ...(f[5] !== undefined ? { range: parseRange(f[5], source, lineNo, `rateParam "${key}" range`) } : {}) });
        } else {
          card.rateParams.push({ name: key, bin: f[2]!, process: f[3]!, value: valueToken, ...(f[5] !== undefined ? { args: f[5] } : {}) });
        }
      } else if (type === 'param') {
        const sigmaToken = f[3];
        if (sigmaToken === undefined) fail(source, lineNo, `param "${key}": expected "name param mean sigma [range]"`);
        const sigma = Number.isFinite(Number(sigmaToken)) ? Number(sigmaToken) : sigmaToken;
        card.params.push({ name: key, mean: num(f[2], source, lineNo, `param "${key}" mean`), sigma, ...(f[4] !== undefined ? { range: parseRange(f[4], source, lineNo, `param "${key}" range`) } : {}) });
      } else if (type === 'group') {
        const op = f[2];
        if (op !== '=' && op !== '+=') fail(source, lineNo, `group "${key}": expected "name group = nuisances..."`);
        const existing = card.groups.find((g) => g.name === key);
        if (existing !== undefined && op === '+=') existing.members.push(...f.slice(3));
        else if (existing !== undefined) existing.members = f.slice(3);
        else card.groups.push({ name: key, members: f.slice(3) });
      } else if (UNCERTAINTY_TYPES.has(type)) {
        const n = columnsReady(lineNo);
        let first = 2;
        let gmN: number | undefined;
        if (type === 'gmN') {
          gmN = num(f[2], source, lineNo, `gmN "${key}" event count`);
          first = 3;
        }
        const values = f.slice(first, first + n);
        if (values.length < n) fail(source, lineNo, `${type} "${key}": ${values.length} entries for ${n} columns`);
        card.uncertainties.push({
          name: key, type: type as UncertaintyType, ...(gmN !== undefined ? { gmN } : {}),
          effects: values.map((t, k) => parseEffect(t, source, lineNo, `${type} "${key}" column ${k + 1}`)),
        });
      } else {
        // extArg, flatParam, discrete and other directives: kept verbatim
        card.other.push(f.join(' '));
      }
    }
  }
  columnsReady(lines.length);
  checkDeclaredSizes(card, source);
  return card;
}

/** Combine refuses cards whose imax / jmax / kmax disagree with their content. */
function checkDeclaredSizes(card: Datacard, source: string): void {
  const processes = new Set(card.columns.map((c) => c.process)).size;
  const nuisances = card.uncertainties.length + card.params.length;
  const checks: Array<[string, number | '*', number, string]> = [
    ['imax', card.imax, card.bins.length, 'channels'],
    ['jmax', card.jmax, processes - 1, 'processes minus 1'],
    ['kmax', card.kmax, nuisances, 'nuisance lines'],
  ];
  for (const [key, declared, found, what] of checks) {
    if (declared !== '*' && declared !== found) throw new UserError(`${source}: ${key} ${declared} but the card has ${found} ${what} (use ${key} * to count them)`);
  }
}

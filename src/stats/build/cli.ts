// `flow workspace ...`: the builders from the command line (to be registered in cli.ts as
// `workspace: { load: () => import('./src/stats/build/cli.ts') }`).
//   flow workspace build CONFIG.yml [--histograms FILE.root] [--out WS.json]
//   flow workspace datacard CARD.txt [--mass M] [--out WS.json]
//   flow workspace combine-cards LABEL=CARD.txt... [--out COMBINED.txt]
import { readTextInput } from '../../input-file.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { checkWritableDir } from '../../cli/writable-dir.ts';
import { dirname, resolve } from 'node:path';
import { naming, UserError } from '../../errors.ts';
import { readCabinetryConfig } from './cabinetry-config.ts';
import { combineDatacards } from './datacard-combine-cards.ts';
import { parseDatacard } from './datacard-parse.ts';
import { loadDatacardShapes } from './datacard-shapes.ts';
import { convertDatacard } from './datacard-to-workspace.ts';
import { writeDatacard } from './datacard-write.ts';
import { collectTemplates, readRootHistograms } from './root-histograms.ts';
import { requiredHistogramNames, buildWorkspace } from './workspace-builder.ts';

const USAGE = `usage:
  flow workspace build CONFIG.yml [--histograms FILE.root] [--out WS.json]
      cabinetry config -> pyhf workspace; histograms from FILE.root, else from the file in General.InputPath
      (relative to the config's folder)
  flow workspace datacard CARD.txt [--mass M] [--out WS.json]
      CMS Combine datacard (+ its shapes files) -> pyhf workspace; conversion notes on stderr
  flow workspace combine-cards LABEL=CARD.txt... [--out COMBINED.txt]
      combine cards like combineCards.py`;

interface Parsed { positional: string[]; flags: Map<string, string> }

function parseArgs(argv: string[], known: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.includes(name)) throw new UserError(`flow workspace: unknown option --${name} (options: ${known.map((k) => `--${k}`).join(', ')})`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UserError(`flow workspace: --${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

function readText(path: string, what: string): string {
  return readTextInput(path, what);
}

/** To stdout, or to --out with one line on stderr saying what was written there. */
async function emit(text: string, out: string | undefined, what: string): Promise<void> {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  checkWritableDir(dirname(resolve(out)), '--out');
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, text);
  process.stderr.write(`wrote ${out}: ${what}\n`);
}

/** `pyhf workspace: 2 channels (8 bins), 3 samples, 5 modifiers; measurement meas (POI mu)` */
export function describeWorkspace(ws: { channels: Array<{ name: string; samples: Array<{ name: string; data: number[]; modifiers: Array<{ name: string }> }> }>; measurements: Array<{ name: string; config: { poi: string } }> }): string {
  const samples = new Set<string>(), modifiers = new Set<string>();
  let bins = 0;
  for (const ch of ws.channels) {
    bins += ch.samples[0]?.data.length ?? 0;
    for (const s of ch.samples) {
      samples.add(s.name);
      for (const m of s.modifiers) modifiers.add(m.name);
    }
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const meas = ws.measurements.map((m) => `${m.name} (POI ${m.config.poi})`).join(', ');
  return `pyhf workspace, ${plural(ws.channels.length, 'channel')} (${plural(bins, 'bin')}), ${plural(samples.size, 'sample')}, ${plural(modifiers.size, 'modifier')}; measurement ${meas}`;
}

async function build(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['histograms', 'out']);
  const [configPath] = positional;
  if (configPath === undefined || positional.length > 1) throw new UserError(`flow workspace build: expected one CONFIG.yml (flow workspace --help)`);
  const config = readCabinetryConfig(configPath);
  const histogramsFile = flags.get('histograms');
  const hists = histogramsFile !== undefined
    ? await readRootHistograms(histogramsFile, requiredHistogramNames(config))
    : await naming(configPath, () => collectTemplates(config, { baseDir: dirname(resolve(configPath)) })).catch((err: unknown) => {
      if (err instanceof UserError && /no such file \(from the config/.test(err.message)) throw new UserError(`${err.message}; --histograms FILE.root reads another file`);
      throw err;
    });
  const ws = naming(configPath, () => buildWorkspace(config, hists));
  await emit(`${JSON.stringify(ws, null, 1)}\n`, flags.get('out'), describeWorkspace(ws));
  return 0;
}

async function datacard(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['mass', 'out']);
  const [cardPath] = positional;
  if (cardPath === undefined || positional.length > 1) throw new UserError(`flow workspace datacard: expected one CARD.txt (flow workspace --help)`);
  const card = parseDatacard(readText(cardPath, 'datacard'), cardPath);
  const mass = flags.get('mass') ?? '';
  const shapes = card.shapes.length > 0 ? await naming(cardPath, () => loadDatacardShapes(card, dirname(resolve(cardPath)), mass)) : undefined;
  const { workspace, notes, modifierSettings } = naming(cardPath, () => convertDatacard(card, shapes, { mass }));
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(`note: closest pyhf settings: normsys ${modifierSettings.normsys.interpcode}, histosys ${modifierSettings.histosys.interpcode}\n`);
  await emit(`${JSON.stringify(workspace, null, 1)}\n`, flags.get('out'), describeWorkspace(workspace));
  return 0;
}

async function combineCards(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['out']);
  if (positional.length === 0) throw new UserError(`flow workspace combine-cards: expected LABEL=CARD.txt arguments (flow workspace --help)`);
  const cards = positional.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UserError(`flow workspace combine-cards: "${arg}" is not LABEL=CARD.txt`);
    const path = arg.slice(eq + 1);
    return { label: arg.slice(0, eq), card: parseDatacard(readText(path, 'datacard'), path) };
  });
  const combined = naming(positional.join(' '), () => combineDatacards(cards));
  await emit(writeDatacard(combined, { header: [`Combination of ${positional.join(' ')}`] }), flags.get('out'), `Combine datacard of ${cards.length} cards (${cards.map((c) => c.label).join(', ')})`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  switch (sub) {
    case 'build': return build(rest);
    case 'datacard': return datacard(rest);
    case 'combine-cards': return combineCards(rest);
    default: throw new UserError(`flow workspace: unknown subcommand "${sub}" (build, datacard, combine-cards)`);
  }
}

// Template histograms referenced by a datacard's `shapes` lines: which file and object hold the
// histogram of a (channel, process[, systematic]), and loading them from ROOT or JSON shapes files.
import { existsSync } from 'node:fs';
import { readTextInput } from '../../input-file.ts';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../../errors.ts';
import type { Datacard, DatacardShapesLine } from './datacard-model.ts';
import { readRootHistograms } from './root-histograms.ts';
import type { TemplateHistogram } from './template-histograms.ts';

/** (file as written in the card, object name) -> histogram, undefined when absent. */
export type DatacardShapeSource = (file: string, object: string) => TemplateHistogram | undefined;

/** Combine's precedence: a line for this channel beats `*`, then this process beats `*`. */
export function shapesLineFor(card: Datacard, channel: string, process: string): DatacardShapesLine | undefined {
  for (const c of [channel, '*']) {
    for (const p of [process, '*']) {
      const line = card.shapes.find((s) => s.channel === c && s.process === p);
      if (line !== undefined) return line;
    }
  }
  return undefined;
}

export interface ShapeLocation { file: string; object: string }

/** Where the nominal (systematic undefined) or a variation (e.g. `alphaUp`) is stored; undefined
 *  for counting channels (no shapes line, or Combine's FAKE file). */
export function shapeLocation(card: Datacard, channel: string, process: string, systematic?: string, mass = ''): ShapeLocation | undefined {
  const line = shapesLineFor(card, channel, process);
  if (line === undefined || line.file === 'FAKE') return undefined;
  const pattern = systematic === undefined ? line.histogram : line.histogramWithSystematics;
  if (pattern === undefined) {
    throw new UserError(`datacard shapes line for channel "${channel}" process "${process}" has no histogram pattern for systematics`);
  }
  const object = pattern
    .replaceAll('$PROCESS', process).replaceAll('$CHANNEL', channel)
    .replaceAll('$SYSTEMATIC', systematic ?? '').replaceAll('$MASS', mass);
  if (object.includes(':')) {
    throw new UserError(`datacard shapes "${object}" in ${line.file}: RooWorkspace (parametric) shapes are not supported`);
  }
  return { file: line.file.replaceAll('$CHANNEL', channel).replaceAll('$MASS', mass), object };
}

/** JSON shapes file written next to a card when no ROOT writer is used: {histograms: {name: hist}}. */
export interface JsonShapesFile {
  format: 'hepflow-shapes-1';
  histograms: Record<string, { edges: number[]; values: number[]; variances: number[] }>;
}

function readJsonShapes(path: string): Map<string, TemplateHistogram> {
  let parsed: JsonShapesFile;
  const text = readTextInput(path, 'shapes file');
  try {
    parsed = JSON.parse(text) as JsonShapesFile;
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (parsed.format !== 'hepflow-shapes-1' || typeof parsed.histograms !== 'object') {
    throw new UserError(`${path}: not a hepflow JSON shapes file (format "hepflow-shapes-1")`);
  }
  return new Map(Object.entries(parsed.histograms));
}

/** Every (file, object) a card's templates need: nominal and Up/Down of shape nuisances, data_obs. */
export function requiredShapes(card: Datacard, mass = ''): ShapeLocation[] {
  const out: ShapeLocation[] = [];
  for (const channel of card.bins) {
    const obs = shapeLocation(card, channel, 'data_obs', undefined, mass);
    if (obs !== undefined) out.push(obs);
  }
  card.columns.forEach((column, k) => {
    const nominal = shapeLocation(card, column.bin, column.process, undefined, mass);
    if (nominal === undefined) return;
    out.push(nominal);
    for (const u of card.uncertainties) {
      if (!u.type.startsWith('shape') || u.effects[k] === null || u.effects[k] === 0) continue;
      for (const side of ['Up', 'Down']) out.push(shapeLocation(card, column.bin, column.process, `${u.name}${side}`, mass)!);
    }
  });
  return out;
}

/** Loads the shapes a card needs (ROOT files via jsroot, or `.json`), paths relative to `baseDir`. */
export async function loadDatacardShapes(card: Datacard, baseDir = '.', mass = ''): Promise<DatacardShapeSource> {
  const wanted = new Map<string, Set<string>>();
  for (const loc of requiredShapes(card, mass)) {
    let set = wanted.get(loc.file);
    if (set === undefined) wanted.set(loc.file, (set = new Set()));
    set.add(loc.object);
  }
  const files = new Map<string, Map<string, TemplateHistogram>>();
  for (const [file, objects] of wanted) {
    const path = isAbsolute(file) ? file : resolve(baseDir, file);
    if (!existsSync(path)) throw new UserError(`cannot open ROOT file ${path}: no such file (named by the datacard's shapes line "${file}", relative to the card's folder)`);
    files.set(file, path.endsWith('.json') ? readJsonShapes(path) : await readRootHistograms(path, objects));
  }
  return (file, object) => files.get(file)?.get(object);
}

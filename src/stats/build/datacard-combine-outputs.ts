// Combine datacards, shapes files and a combine script from histograms, the way PocketCoffea's
// stat toolkit (pocket_coffea.utils.stat) writes them: one card per category, every (process,
// year) its own column "{process}_{year}", data summed over years into data_obs, lnN and shape
// nuisances whose `years` decide the correlation across years, autoMCStats, rateParam SF_<name>.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import type { Datacard, DatacardColumn, DatacardEffect, DatacardUncertainty } from './datacard-model.ts';
import type { JsonShapesFile } from './datacard-shapes.ts';
import { writeDatacard } from './datacard-write.ts';
import { combineDatacards } from './datacard-combine-cards.ts';
import { convertDatacard } from './datacard-to-workspace.ts';
import type { Workspace } from './pyhf-types.ts';
import { lookupHistogram, toBinning } from './template-histograms.ts';
import type { BinnedYields, HistogramSource, TemplateHistogram } from './template-histograms.ts';
import { formatZodIssues } from './zod-issues.ts';
import { createRootFile } from '../../root/write/index.ts';

/** Names that become file names, datacard tokens and shell words: letters, digits, _ . + - (not
 *  leading . or -), so no name can climb out of the output directory, split a datacard line or
 *  run a command. */
const token = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, { error: 'must be letters, digits and _ . + - (not starting with . or -): it names files and datacard columns' });

const kappa = z.union([z.number(), z.tuple([z.number(), z.number()])], { error: 'expected kappa or [down, up]' });

export const combineSpecSchema = z.strictObject({
  years: z.array(token).min(1),
  processes: z.array(z.strictObject({
    name: token,
    /** analysis samples summed into the process (default: [name]) */
    samples: z.array(z.string()).min(1).optional(),
    years: z.array(z.string()).min(1).optional(),
    isSignal: z.boolean(),
    hasRateParam: z.boolean().optional(),
  })).min(1),
  data: z.strictObject({ samples: z.array(z.string()).min(1), years: z.array(z.string()).min(1).optional() }).optional(),
  systematics: z.array(z.strictObject({
    name: z.string(),
    type: z.enum(['lnN', 'shape']),
    /** process names, or {process: kappa} for per-process values */
    processes: z.union([z.array(z.string()).min(1), z.record(z.string(), kappa)]),
    years: z.array(z.string()).min(1).optional(),
    value: kappa.optional(),
    datacardName: z.string().optional(),
    /** variation name in the histograms when not `name` (per process with a record) */
    variationAlias: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  })).default([]),
  categories: z.array(z.strictObject({ name: token, binEdges: z.array(z.number()).min(2).optional() })).min(1),
  mcstat: z.union([z.boolean(), z.strictObject({
    threshold: z.number().optional(), includeSignal: z.boolean().optional(), histMode: z.number().optional(),
  })]).default(true),
  binPrefix: token.optional(),
  binSuffix: token.optional(),
  /** file names: datacard_{category}_{label}.txt, shapes_{category}_{label}.root, combine_datacards_{label}.sh */
  label: token.default('hepflow'),
  channelMasks: z.boolean().default(false),
  /** combine methods run by the script */
  methods: z.array(z.enum(['FitDiagnostics', 'AsymptoticLimits', 'Significance', 'MultiDimFit'])).default(['FitDiagnostics', 'AsymptoticLimits']),
});

export type CombineSpec = z.input<typeof combineSpecSchema>;
type Spec = z.output<typeof combineSpecSchema>;

export function validateCombineSpec(input: unknown, source = 'datacard spec'): Spec {
  const result = combineSpecSchema.safeParse(input);
  if (!result.success) throw new UserError(`${source}: ${formatZodIssues(result.error)}`);
  const names = new Set<string>();
  result.data.systematics.forEach((s, i) => {
    const dc = s.datacardName ?? s.name;
    if (names.has(dc)) throw new UserError(`${source}: systematics[${i}]: duplicate datacard name "${dc}" (each nuisance needs its own name; use years to correlate)`);
    names.add(dc);
    if (s.value === undefined && Array.isArray(s.processes) && s.type === 'lnN') {
      throw new UserError(`${source}: systematics[${i}].value: expected kappa (required unless processes is a {process: kappa} record)`);
    }
  });
  const processes = new Set(result.data.processes.map((p) => p.name));
  result.data.systematics.forEach((s, i) => {
    for (const p of Array.isArray(s.processes) ? s.processes : Object.keys(s.processes)) {
      if (!processes.has(p)) throw new UserError(`${source}: systematics[${i}].processes: unknown process "${p}"`);
    }
  });
  return result.data;
}

/** One histogram request: `variation` is "nominal" or a variation name with Up/Down appended. */
export interface CombineHistogramQuery { category: string; sample: string; year: string; variation: string }

export interface CombineOutputOptions {
  /** name of a histogram in the source; default `{category}_{sample}_{year}` for nominal and
   *  `{category}_{sample}_{year}_{variation}` otherwise */
  histogramName?: (q: CombineHistogramQuery) => string;
  /** 'root' (default) writes shapes_*.root with hepflow's ROOT writer; 'json' a JSON shapes file */
  shapesFormat?: 'root' | 'json';
}

export const defaultCombineHistogramName = (q: CombineHistogramQuery): string =>
  q.variation === 'nominal' ? `${q.category}_${q.sample}_${q.year}` : `${q.category}_${q.sample}_${q.year}_${q.variation}`;

export interface CategoryDatacard {
  category: string;
  bin: string;
  card: Datacard;
  /** shapes by object name: {process}_{year}_nominal, {process}_{year}_{nuisance}{Up,Down}, data_obs_nominal */
  shapes: Map<string, BinnedYields>;
  /** PocketCoffea's notices: variations replaced by nominal, variations > 100% off nominal */
  notices: string[];
}

const SHIFTS = ['Up', 'Down'] as const;

function addInto(target: BinnedYields | null, h: BinnedYields, what: string): BinnedYields {
  if (target === null) return { edges: h.edges.slice(), yields: h.yields.slice(), variances: h.variances.slice() };
  if (target.yields.length !== h.yields.length) throw new UserError(`histogram ${what}: ${h.yields.length} bins, others have ${target.yields.length}`);
  for (let i = 0; i < h.yields.length; i++) {
    target.yields[i]! += h.yields[i]!;
    target.variances[i]! += h.variances[i]!;
  }
  return target;
}

const total = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

/** Builds the datacard and its templates for one category (no I/O). */
export function buildCategoryDatacard(specInput: CombineSpec | Spec, category: string, hists: HistogramSource, opts: CombineOutputOptions = {}): CategoryDatacard {
  const spec = validateCombineSpec(specInput);
  const cat = spec.categories.find((c) => c.name === category);
  if (cat === undefined) throw new UserError(`datacard spec: unknown category "${category}"`);
  const nameOf = opts.histogramName ?? defaultCombineHistogramName;
  const notices: string[] = [];
  const get = (sample: string, year: string, variation: string): BinnedYields | undefined => {
    const q = { category, sample, year, variation };
    const h: TemplateHistogram | undefined = lookupHistogram(hists, nameOf(q));
    return h === undefined ? undefined : toBinning(h, cat.binEdges, `"${nameOf(q)}"`);
  };
  const requireNominal = (sample: string, year: string): BinnedYields => {
    const h = get(sample, year, 'nominal');
    if (h === undefined) throw new UserError(`datacard category "${category}": missing histogram "${nameOf({ category, sample, year, variation: 'nominal' })}"`);
    return h;
  };

  const bin = [spec.binPrefix, category, spec.binSuffix ?? spec.years.join('_')].filter((x) => x !== undefined && x !== '').join('_');
  const shapeSysts = spec.systematics.filter((s) => s.type === 'shape');
  const applies = (s: Spec['systematics'][number], process: string, year: string): boolean =>
    (Array.isArray(s.processes) ? s.processes.includes(process) : Object.hasOwn(s.processes, process)) && (s.years ?? spec.years).includes(year);

  const shapes = new Map<string, BinnedYields>();
  const columns: DatacardColumn[] = [];
  const columnKeys: Array<{ process: string; year: string }> = [];
  let nextSignal = 0;
  let nextBackground = 1;
  for (const p of spec.processes) {
    for (const year of p.years ?? spec.years) {
      const column = `${p.name}_${year}`;
      let nominal: BinnedYields | null = null;
      for (const sample of p.samples ?? [p.name]) nominal = addInto(nominal, requireNominal(sample, year), column);
      shapes.set(`${column}_nominal`, nominal!);
      for (const s of shapeSysts) {
        if (!applies(s, p.name, year)) continue;
        const alias = typeof s.variationAlias === 'string' ? s.variationAlias : s.variationAlias?.[p.name];
        const source = alias ?? s.name;
        for (const shift of SHIFTS) {
          let varied: BinnedYields | null = null;
          for (const sample of p.samples ?? [p.name]) {
            let h = get(sample, year, `${source}${shift}`);
            if (h === undefined) {
              notices.push(`setting "${source}${shift}" to the nominal variation for sample ${sample} (${year}, category ${category})`);
              h = requireNominal(sample, year);
            }
            varied = addInto(varied, h, `${column} ${source}${shift}`);
          }
          const nom = nominal!.yields;
          const far = varied!.yields.some((v, i) => nom[i] !== 0 && (v - nom[i]!) / nom[i]! > 1);
          if (far) notices.push(`variation ${s.datacardName ?? s.name}${shift} for process ${column} differs by more than 100% from nominal in some bins of the ${category} category`);
          shapes.set(`${column}_${s.datacardName ?? s.name}${shift}`, varied!);
        }
      }
      columns.push({ bin, process: column, id: p.isSignal ? nextSignal-- : nextBackground++, rate: total(nominal!.yields) });
      columnKeys.push({ process: p.name, year });
    }
  }

  let observation = -1;
  if (spec.data !== undefined) {
    let data: BinnedYields | null = null;
    for (const sample of spec.data.samples) {
      for (const year of spec.data.years ?? spec.years) data = addInto(data, requireNominal(sample, year), 'data_obs');
    }
    shapes.set('data_obs_nominal', data!);
    observation = total(data!.yields);
  }

  const uncertainties: DatacardUncertainty[] = spec.systematics.map((s) => ({
    name: s.datacardName ?? s.name,
    type: s.type,
    effects: columnKeys.map(({ process, year }): DatacardEffect | null => {
      if (!applies(s, process, year)) return null;
      const v = Array.isArray(s.processes) ? s.value : s.processes[process];
      if (v === undefined) return s.type === 'shape' ? 1 : null;
      return typeof v === 'number' ? v : { down: v[0], up: v[1] };
    }),
  }));

  const mcstat = spec.mcstat === false ? null : spec.mcstat === true ? {} : spec.mcstat;
  const shapesFile = `shapes_${category}_${spec.label}.${opts.shapesFormat === 'json' ? 'json' : 'root'}`;
  const card: Datacard = {
    imax: 1,
    jmax: columns.length - 1,
    kmax: uncertainties.length,
    shapes: [{ process: '*', channel: bin, file: shapesFile, histogram: '$PROCESS_nominal', histogramWithSystematics: '$PROCESS_$SYSTEMATIC' }],
    bins: [bin],
    observations: [observation],
    columns,
    uncertainties,
    rateParams: spec.processes.flatMap((p) => (p.isSignal || p.hasRateParam !== true ? [] : (p.years ?? spec.years).map((year) => ({
      name: `SF_${p.name}`, bin: '*', process: `${p.name}_${year}`, value: 1, range: [0, 5] as [number, number],
    })))),
    params: [],
    autoMCStats: mcstat === null ? [] : [{ channel: bin, threshold: mcstat.threshold ?? 0, includeSignal: mcstat.includeSignal ?? false, histMode: mcstat.histMode ?? 1 }],
    groups: [],
    other: [],
  };
  return { category, bin, card, shapes, notices };
}

async function writeShapes(path: string, shapes: Map<string, BinnedYields>, format: 'root' | 'json'): Promise<void> {
  if (format === 'json') {
    const file: JsonShapesFile = { format: 'hepflow-shapes-1', histograms: {} };
    for (const [name, h] of shapes) file.histograms[name] = { edges: Array.from(h.edges), values: Array.from(h.yields), variances: Array.from(h.variances) };
    await writeFile(path, `${JSON.stringify(file)}\n`);
    return;
  }
  const f = await createRootFile(path);
  const withFlow = (a: Float64Array): Float64Array => {
    const out = new Float64Array(a.length + 2);
    out.set(a, 1);
    return out;
  };
  for (const [name, h] of shapes) f.putHist(name, { edges: h.edges, values: withFlow(h.yields), sumw2: withFlow(h.variances), title: name });
  await f.close();
}

export interface CombineOutputs {
  cards: Array<{ category: string; bin: string; cardPath: string; shapesPath: string; card: Datacard }>;
  scriptPath: string;
  /** workspace_{label}.json: the combined cards as a pyhf workspace, for `flow fit` / `flow limit` */
  workspacePath: string;
  workspace: Workspace;
  /** where that pyhf model differs from Combine's (see convertDatacard) */
  conversionNotes: string[];
  notices: string[];
}

/** `word` as one POSIX shell word: as is if it holds only safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell script PocketCoffea's combine_datacards writes, plus the combine fits. */
export function combineScript(cards: Array<{ bin: string; cardFile: string }>, spec: Pick<Spec, 'label' | 'channelMasks' | 'methods'>, blinded: boolean): string {
  const combined = `datacard_combined_${spec.label}.txt`;
  const workspace = `workspace_${spec.label}.root`;
  const toys = blinded ? ' -t -1' : '';
  const lines = [
    '#!/bin/bash',
    'set -e',
    `combineCards.py ${cards.map((c) => shellQuote(`${c.bin}=${c.cardFile}`)).join(' ')} > ${shellQuote(combined)}`,
    `text2workspace.py ${shellQuote(combined)} -o ${shellQuote(workspace)}${spec.channelMasks ? ' --channel-masks' : ''}`,
  ];
  for (const method of spec.methods) {
    const extra = method === 'FitDiagnostics' ? ' --saveShapes --saveWithUncertainties' : method === 'Significance' ? ' --expectSignal 1' : '';
    lines.push(`combine -M ${shellQuote(method)} -d ${shellQuote(workspace)} -n ${shellQuote(`_${spec.label}`)}${extra}${toys}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes datacard_{category}_{label}.txt and its shapes file per category,
 *  combine_datacards_{label}.sh and the combined model as workspace_{label}.json, into `dir`. */
export async function writeCombineOutputs(dir: string, specInput: CombineSpec, hists: HistogramSource, opts: CombineOutputOptions = {}): Promise<CombineOutputs> {
  const spec = validateCombineSpec(specInput);
  const format = opts.shapesFormat ?? 'root';
  await mkdir(dir, { recursive: true });
  const cards: CombineOutputs['cards'] = [];
  const notices: string[] = [];
  const shapesByFile = new Map<string, Map<string, BinnedYields>>();
  for (const { name } of spec.categories) {
    const built = buildCategoryDatacard(spec, name, hists, { ...opts, shapesFormat: format });
    shapesByFile.set(built.card.shapes[0]!.file, built.shapes);
    const cardFile = `datacard_${name}_${spec.label}.txt`;
    const shapesPath = join(dir, built.card.shapes[0]!.file);
    await writeShapes(shapesPath, built.shapes, format);
    await writeFile(join(dir, cardFile), writeDatacard(built.card, { header: [`category ${name}, written by hepflow (PocketCoffea stat toolkit conventions)`] }));
    cards.push({ category: name, bin: built.bin, cardPath: join(dir, cardFile), shapesPath, card: built.card });
    notices.push(...built.notices);
  }
  const scriptPath = join(dir, `combine_datacards_${spec.label}.sh`);
  const script = combineScript(cards.map((c) => ({ bin: c.bin, cardFile: `datacard_${c.category}_${spec.label}.txt` })), spec, spec.data === undefined);
  await writeFile(scriptPath, script, { mode: 0o755 });

  // the same model as combineCards.py + text2workspace.py would give, as a pyhf workspace
  const combined = combineDatacards(cards.map((c) => ({ label: c.bin, card: c.card })));
  const source = (file: string, object: string) => {
    const h = shapesByFile.get(file)?.get(object);
    return h === undefined ? undefined : { edges: h.edges, values: h.yields, variances: h.variances };
  };
  const conversion = convertDatacard(combined, source, { measurementName: spec.label });
  const workspacePath = join(dir, `workspace_${spec.label}.json`);
  await writeFile(workspacePath, `${JSON.stringify(conversion.workspace, null, 1)}\n`);
  return { cards, scriptPath, workspacePath, workspace: conversion.workspace, conversionNotes: conversion.notes, notices };
}

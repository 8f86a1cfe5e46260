// cabinetry's configuration (General, Regions, Samples, NormFactors, Systematics) as a zod schema.
// Follows cabinetry's JSON schema (src/cabinetry/schemas/config.json) and the extra checks of
// cabinetry.configuration.validate; hepflow extensions are marked as such.
import { createRequire } from 'node:module';
import { readTextInput } from '../../input-file.ts';
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { formatZodIssues } from './zod-issues.ts';
import { carryConfigText, rememberConfigText } from './config-lines.ts';

const nameList = z.union([z.string(), z.array(z.string()).min(1)], {
  error: 'expected a name or a list of names',
});
const samplePath = z.union([z.string(), z.array(z.string()).min(1)], {
  error: 'expected a path or a list of paths',
});

const general = z.strictObject({
  Measurement: z.string(),
  POI: z.string().optional(),
  InputPath: z.string(),
  HistogramFolder: z.string(),
  Fixed: z.array(z.strictObject({ Name: z.string(), Value: z.number() })).min(1).optional(),
  VariationPath: z.string().optional(),
  /** hepflow extension: a pyhf `lumi` modifier (named "lumi") on the MC samples. */
  Luminosity: z.strictObject({
    Uncertainty: z.number().positive(),
    Nominal: z.number().optional(),
    Samples: nameList.optional(),
    Regions: nameList.optional(),
  }).optional(),
});

const region = z.strictObject({
  Name: z.string(),
  Variable: z.string().optional(),
  Binning: z.array(z.number()).min(2).optional(),
  Rebin: z.strictObject({ LowerIndex: z.int().optional(), UpperIndex: z.int().optional(), Steps: z.int().optional() }).optional(),
  Filter: z.string().optional(),
  RegionPath: z.string().optional(),
});

const sample = z.strictObject({
  Name: z.string(),
  Tree: z.string().optional(),
  Filter: z.string().optional(),
  Weight: z.string().optional(),
  SamplePath: samplePath.optional(),
  Data: z.boolean().optional(),
  DisableStaterror: z.boolean().optional(),
  Regions: nameList.optional(),
});

const normFactor = z.strictObject({
  Name: z.string(),
  Regions: nameList.optional(),
  Samples: nameList.optional(),
  Nominal: z.number().optional(),
  Bounds: z.tuple([z.number(), z.number()]).optional(),
  /** hepflow extension: hold the factor constant at Nominal (cabinetry uses General.Fixed). */
  Fixed: z.boolean().optional(),
});

const template = z.strictObject({
  Tree: z.string().optional(),
  Weight: z.string().optional(),
  Variable: z.string().optional(),
  Filter: z.string().optional(),
  RegionPath: z.string().optional(),
  SamplePath: samplePath.optional(),
  Normalization: z.number().optional(),
  Symmetrize: z.boolean().optional(),
  VariationPath: z.string().optional(),
});

const smoothing = z.strictObject({
  Algorithm: z.literal('353QH, twice'),
  Regions: nameList.optional(),
  Samples: nameList.optional(),
});

const systematic = z.strictObject({
  Name: z.string(),
  Type: z.enum(['Normalization', 'NormPlusShape']),
  Up: template,
  Down: template,
  Regions: nameList.optional(),
  Samples: nameList.optional(),
  Smoothing: smoothing.optional(),
  ModifierName: z.string().optional(),
});

export const cabinetryConfigSchema = z.strictObject({
  General: general,
  Regions: z.array(region).min(1),
  Samples: z.array(sample).min(1),
  NormFactors: z.array(normFactor).min(1),
  Systematics: z.array(systematic).optional(),
});

export type CabinetryConfig = z.infer<typeof cabinetryConfigSchema>;
export type CabinetryRegion = z.infer<typeof region>;
export type CabinetrySample = z.infer<typeof sample>;
export type CabinetryNormFactor = z.infer<typeof normFactor>;
export type CabinetrySystematic = z.infer<typeof systematic>;
export type CabinetryTemplate = z.infer<typeof template>;

/** cabinetry's `_setting_to_list`: a single name or a list of names, as a list. */
export function settingToList(setting: string | string[] | undefined): string[] {
  if (setting === undefined) return [];
  return Array.isArray(setting) ? setting : [setting];
}

/** cabinetry's `_x_contains_y`: an absent restriction means "all". */
export function containsByName(x: { Name: string }, restriction: string | string[] | undefined): boolean {
  const list = settingToList(restriction);
  return list.length === 0 || list.includes(x.Name);
}

export const regionContainsSample = (r: CabinetryRegion, s: CabinetrySample): boolean => containsByName(r, s.Regions);
export const regionContainsModifier = (r: CabinetryRegion, m: { Regions?: string | string[] }): boolean =>
  containsByName(r, m.Regions);
export const sampleContainsModifier = (s: CabinetrySample, m: { Samples?: string | string[] }): boolean =>
  containsByName(s, m.Samples);

function checkUnique(names: string[], key: string, source: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw new UserError(`${source}: ${key}[${i}].Name: duplicate name "${name}" (names must be unique)`);
    seen.add(name);
  });
}

function checkReferences(list: string | string[] | undefined, known: Set<string>, key: string, what: string, source: string): void {
  for (const name of settingToList(list)) {
    if (!known.has(name)) throw new UserError(`${source}: ${key}: unknown ${what} "${name}" (known: ${[...known].join(', ')})`);
  }
}

/** cabinetry.configuration.validate's extra rules, plus reference checks cabinetry leaves to runtime. */
function checkRules(config: CabinetryConfig, source: string): void {
  const dataSamples = config.Samples.filter((s) => s.Data === true);
  if (dataSamples.length !== 1) {
    throw new UserError(`${source}: Samples: expected exactly one sample with Data: true, found ${dataSamples.length}`);
  }
  checkUnique(config.Regions.map((r) => r.Name), 'Regions', source);
  checkUnique(config.Samples.map((s) => s.Name), 'Samples', source);
  checkUnique(config.NormFactors.map((n) => n.Name), 'NormFactors', source);
  checkUnique((config.Systematics ?? []).map((s) => s.Name), 'Systematics', source);

  const regions = new Set(config.Regions.map((r) => r.Name));
  const samples = new Set(config.Samples.map((s) => s.Name));
  config.Regions.forEach((r, i) => {
    if (r.Binning !== undefined) {
      for (let b = 1; b < r.Binning.length; b++) {
        if (!(r.Binning[b]! > r.Binning[b - 1]!)) {
          throw new UserError(`${source}: Regions[${i}].Binning: edges must increase strictly (${r.Binning[b - 1]} then ${r.Binning[b]})`);
        }
      }
    }
  });
  config.Samples.forEach((s, i) => checkReferences(s.Regions, regions, `Samples[${i}].Regions`, 'region', source));
  config.NormFactors.forEach((n, i) => {
    checkReferences(n.Regions, regions, `NormFactors[${i}].Regions`, 'region', source);
    checkReferences(n.Samples, samples, `NormFactors[${i}].Samples`, 'sample', source);
    if (n.Bounds !== undefined && !(n.Bounds[0] < n.Bounds[1])) {
      throw new UserError(`${source}: NormFactors[${i}].Bounds: lower bound must be below upper bound (${n.Bounds.join(', ')})`);
    }
  });
  (config.Systematics ?? []).forEach((sys, i) => {
    const key = `Systematics[${i}]`;
    checkReferences(sys.Regions, regions, `${key}.Regions`, 'region', source);
    checkReferences(sys.Samples, samples, `${key}.Samples`, 'sample', source);
    if (sys.Up.Symmetrize === true && sys.Down.Symmetrize === true) {
      throw new UserError(`${source}: ${key}: up and down variation of systematic "${sys.Name}" cannot both be symmetrized`);
    }
    if (sys.Type === 'Normalization') {
      for (const side of ['Up', 'Down'] as const) {
        if (sys[side].Normalization === undefined) {
          throw new UserError(`${source}: ${key}.${side}.Normalization: expected number (required for Type Normalization)`);
        }
      }
    }
  });
  const lumi = config.General.Luminosity;
  if (lumi !== undefined) {
    checkReferences(lumi.Samples, samples, 'General.Luminosity.Samples', 'sample', source);
    checkReferences(lumi.Regions, regions, 'General.Luminosity.Regions', 'region', source);
  }
}

/** Validates a config object (parsed YAML or a TS literal); errors name the key path at fault. */
export function validateCabinetryConfig(input: unknown, source = 'cabinetry config'): CabinetryConfig {
  const result = cabinetryConfigSchema.safeParse(input);
  if (!result.success) throw new UserError(`${source}: ${formatZodIssues(result.error)}`);
  checkRules(result.data, source);
  carryConfigText(input, result.data);
  return result.data;
}

/** Parses YAML text the way cabinetry does (PyYAML safe_load, YAML 1.1: `True`, `yes`). */
export function parseCabinetryConfig(yamlText: string, source = 'cabinetry config'): CabinetryConfig {
  let doc: unknown;
  try {
    // required here, not imported: yaml is ~70 modules that every graph with a workspace node
    // would otherwise load at start-up, YAML config or not
    const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = yaml.parse(yamlText, { version: '1.1' });
  } catch (err) {
    throw new UserError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const config = validateCabinetryConfig(doc, source);
  rememberConfigText(config, source, yamlText);
  return config;
}

export function readCabinetryConfig(path: string): CabinetryConfig {
  return parseCabinetryConfig(readTextInput(path, 'cabinetry config'), path);
}

/** A config given as YAML text, a parsed object, or an already validated config. */
export function loadCabinetryConfig(input: string | object, source?: string): CabinetryConfig {
  return typeof input === 'string' ? parseCabinetryConfig(input, source) : validateCabinetryConfig(input, source);
}

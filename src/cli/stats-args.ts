// Argument parsing shared by `flow inspect|fit|limit|scan|ranking`.
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import type { ModelOptions } from '../stats/model.ts';

export interface StatsArgs {
  file: string;
  measurement?: string;
  json: boolean;
  help: boolean;
  poiValue?: number;
  model: ModelOptions;
  optimizer?: 'newton' | 'minuit';
  minuitTolerance?: number;
  scanLimits?: boolean;
  /** values of the command's own options (`extra.options`) */
  own: Record<string, string | boolean | string[] | undefined>;
}

type OwnOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export function parseStatsArgs(cmd: string, argv: string[], extra: { poiValue?: boolean; optimizer?: boolean; scanLimits?: boolean; options?: OwnOptions } = {}): StatsArgs {
  const parsed = parseCommandArgs(cmd, argv, {
    measurement: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    'normsys-code': { type: 'string' },
    'histosys-code': { type: 'string' },
    ...(extra.poiValue ? { 'poi-value': { type: 'string' } } : {}),
    ...extra.options,
    ...(extra.scanLimits ? { 'scan-limits': { type: 'boolean' } } : {}),
    ...(extra.optimizer ? { optimizer: { type: 'string' }, tolerance: { type: 'string' } } : {}),
  } as OwnOptions);
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return { file: '', json: false, help: true, model: {}, own: {} };
  if (parsed.positionals.length !== 1) throw new UserError(`flow ${cmd}: expected one workspace file (flow ${cmd} --help)`);
  const model: ModelOptions = {};
  const ns = v['normsys-code'], hs = v['histosys-code'];
  if (ns !== undefined) {
    if (ns !== 'code1' && ns !== 'code4') throw new UserError(`flow ${cmd}: --normsys-code must be code1 or code4, got '${ns}'`);
    model.normsys = ns;
  }
  if (hs !== undefined) {
    if (hs !== 'code0' && hs !== 'code4p') throw new UserError(`flow ${cmd}: --histosys-code must be code0 or code4p, got '${hs}'`);
    model.histosys = hs;
  }
  let poiValue: number | undefined;
  if (typeof v['poi-value'] === 'string') {
    poiValue = Number(v['poi-value']);
    if (!Number.isFinite(poiValue)) throw new UserError(`flow ${cmd}: --poi-value must be a number, got '${v['poi-value']}'`);
  }
  const opt = v.optimizer;
  if (opt !== undefined && opt !== 'newton' && opt !== 'minuit') throw new UserError(`flow ${cmd}: --optimizer must be newton or minuit, got '${opt}'`);
  let minuitTolerance: number | undefined;
  if (typeof v.tolerance === 'string') {
    minuitTolerance = Number(v.tolerance);
    if (!(minuitTolerance > 0)) throw new UserError(`flow ${cmd}: --tolerance must be a positive number, got '${v.tolerance}'`);
    if (opt !== 'minuit') throw new UserError(`flow ${cmd}: --tolerance applies to --optimizer minuit only`);
  }
  return {
    file: parsed.positionals[0]!, measurement: v.measurement as string | undefined, json: v.json === true, help: false,
    poiValue, model, optimizer: opt as StatsArgs['optimizer'], minuitTolerance, scanLimits: v['scan-limits'] === true,
    own: Object.fromEntries(Object.keys(extra.options ?? {}).map((k) => [k, v[k]])),
  };
}

/** A --poi-value outside the POI's bounds gives numbers that mean nothing (qtilde assumes mu >= its lower bound). */
export function checkPoiValue(cmd: string, file: string, model: { poiName: string; poiIndex: number; lower: ArrayLike<number>; upper: ArrayLike<number> }, value: number | undefined): void {
  if (value === undefined) return;
  const lo = model.lower[model.poiIndex]!, hi = model.upper[model.poiIndex]!;
  if (value < lo || value > hi) throw new UserError(`${cmd}: --poi-value ${value} is outside the bounds [${lo}, ${hi}] of POI '${model.poiName}' in ${file}`);
}

/** A comma-separated list of numbers (`--range 0,2`), `count` of them when given. */
export function numberList(cmd: string, option: string, text: string, counts?: number[]): number[] {
  const values = text.split(',').map((t) => Number(t.trim()));
  if (values.some((x) => !Number.isFinite(x)) || (counts && !counts.includes(values.length))) {
    throw new UserError(`flow ${cmd}: --${option} must be ${counts ? counts.join(' or ') + ' ' : ''}comma-separated numbers, got '${text}'`);
  }
  return values;
}

/** A comma-separated list of parameter names (`--par mu,theta`). */
export function nameList(text: string): string[] {
  return text.split(',').map((t) => t.trim()).filter((t) => t !== '');
}

/** Runs a command on workspace `file`: a UserError that does not name the file gets it as a prefix,
 *  so every message says which workspace it is about. */
export async function namingFile<T>(file: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UserError && !err.message.includes(file)) throw new UserError(`${file}: ${err.message}`, { cause: err, exitCode: err.exitCode });
    throw err;
  }
}

// pyhf JSON workspace (schema 1.0.0): loading (the schema in workspace-schema.ts), consistency checks
// with errors naming the JSON path, and the workspace operations of `pyhf prune` / `pyhf rename` /
// `pyhf combine`.
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import type * as schema from './workspace-schema.ts';
import { conformsToWorkspaceSchema } from './workspace-shape.ts';

export type Modifier = z.infer<typeof schema.modifierSchema>;
export type ModifierType = Modifier['type'];
export type Sample = z.infer<typeof schema.sampleSchema>;
export type Channel = z.infer<typeof schema.channelSchema>;
export type Observation = z.infer<typeof schema.observationSchema>;
export type ParameterConfig = z.infer<typeof schema.parameterConfigSchema>;
export type Measurement = z.infer<typeof schema.measurementSchema>;
export type Workspace = z.infer<typeof schema.workspaceSchema>;

export const MODIFIER_TYPES: readonly ModifierType[] = [
  'histosys', 'lumi', 'normfactor', 'normsys', 'shapefactor', 'shapesys', 'staterror',
];

/** `channels[1].samples[0].modifiers[2].data.hi_data` from a path array. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Whether the key at the end of `path` is absent from `json` (zod reports it as a wrong type/value). */
function isMissing(json: unknown, path: ReadonlyArray<PropertyKey>): boolean {
  let v: unknown = json;
  for (const part of path.slice(0, -1)) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[part] : undefined;
  return v !== null && typeof v === 'object' && path.length > 0 && !Object.hasOwn(v, path.at(-1)!);
}

function zodMessage(issue: z.core.$ZodIssue, json: unknown): string {
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && isMissing(json, issue.path)) return 'missing (required by the pyhf schema 1.0.0)';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')} (pyhf's schema 1.0.0 does not allow ${issue.keys.length > 1 ? 'them' : 'it'})`;
  if (issue.code === 'invalid_value' && issue.path.at(-1) === 'version') return `expected "1.0.0" (the pyhf workspace schema version)`;
  if (issue.code === 'invalid_union' && issue.path.at(-1) !== undefined) return 'not a known modifier (type must be one of ' + MODIFIER_TYPES.join(', ') + ')';
  return issue.message;
}

/** Validate a parsed JSON value as a pyhf workspace; throws UserError naming the JSON path at fault. */
export function loadWorkspace(json: unknown, source = 'workspace'): Workspace {
  // a copy, as zod's parse gives (callers may change the result; the input stays theirs)
  const data = conformsToWorkspaceSchema(json) ? (structuredClone(json) as Workspace) : parseWithSchema(json, source);
  const problems = [...checkConsistency(data), ...checkMeaning(data)];
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
    throw new UserError(`${source}: ${problems[0]}${more}`);
  }
  return data;
}

/** The zod schema's verdict: its first issue as one line, or the data when it accepts after all. */
function parseWithSchema(json: unknown, source: string): Workspace {
  const require = createRequire(import.meta.url);
  const { workspaceSchema } = require('./workspace-schema.ts') as typeof schema;
  const parsed = workspaceSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
  throw new UserError(`${source}: ${jsonPath(issue.path)}: ${zodMessage(issue, json)}${more}`);
}

function lengthProblem(path: string, got: number, want: number): string | null {
  return got === want ? null : `${path}: expected ${want} numbers, got ${got}`;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0]!;
  for (const [v, n] of counts) if (n > counts.get(best)!) best = v;
  return best;
}

/** Structural checks zod cannot express: names unique, bin counts agree, POI declared. */
export function checkConsistency(ws: Workspace): string[] {
  const problems: string[] = [];
  const push = (p: string | null) => { if (p) problems.push(p); };
  const obsByName = new Map<string, number>();
  ws.observations.forEach((o, i) => {
    if (obsByName.has(o.name)) problems.push(`observations[${i}].name: duplicate observation '${o.name}'`);
    obsByName.set(o.name, i);
  });
  const channelNames = new Set<string>();
  const modifierNames = new Set<string>();
  ws.channels.forEach((ch, c) => {
    if (channelNames.has(ch.name)) problems.push(`channels[${c}].name: duplicate channel '${ch.name}'`);
    channelNames.add(ch.name);
    const oi = obsByName.get(ch.name);
    if (oi === undefined) {
      problems.push(`channels[${c}]: no observation named '${ch.name}' in observations`);
    }
    // the bin count most of the channel agrees on: the one wrong array is named, not all the others
    const nbins = mostCommon([...(oi === undefined ? [] : [ws.observations[oi]!.data.length]), ...ch.samples.map((s) => s.data.length)]);
    if (oi !== undefined) push(lengthProblem(`observations[${oi}].data (channel '${ch.name}')`, ws.observations[oi]!.data.length, nbins));
    const sampleNames = new Set<string>();
    ch.samples.forEach((s, si) => {
      const sp = `channels[${c}].samples[${si}]`;
      if (sampleNames.has(s.name)) problems.push(`${sp}.name: duplicate sample '${s.name}' in channel '${ch.name}'`);
      sampleNames.add(s.name);
      push(lengthProblem(`${sp}.data`, s.data.length, nbins));
      const seen = new Set<string>();
      s.modifiers.forEach((m, mi) => {
        const mp = `${sp}.modifiers[${mi}]`;
        const key = `${m.type}/${m.name}`;
        if (seen.has(key)) problems.push(`${mp}: modifier '${m.name}' of type ${m.type} appears twice on sample '${s.name}'`);
        seen.add(key);
        modifierNames.add(m.name);
        if (m.type === 'histosys') {
          push(lengthProblem(`${mp}.data.hi_data`, m.data.hi_data.length, nbins));
          push(lengthProblem(`${mp}.data.lo_data`, m.data.lo_data.length, nbins));
        } else if (m.type === 'staterror' || m.type === 'shapesys') {
          push(lengthProblem(`${mp}.data`, m.data.length, nbins));
        }
      });
    });
  });
  // observations of channels that are not in the workspace are allowed and ignored, as in pyhf
  const measNames = new Set<string>();
  ws.measurements.forEach((m, i) => {
    if (measNames.has(m.name)) problems.push(`measurements[${i}].name: duplicate measurement '${m.name}'`);
    measNames.add(m.name);
    if (!modifierNames.has(m.config.poi)) {
      problems.push(`measurements[${i}].config.poi: parameter of interest '${m.config.poi}' is not a modifier of any sample`);
    }
    const parNames = new Set<string>();
    m.config.parameters.forEach((p, j) => {
      if (parNames.has(p.name)) problems.push(`measurements[${i}].config.parameters[${j}].name: '${p.name}' configured twice`);
      parNames.add(p.name);
    });
  });
  return problems;
}

/** Values the schema allows but no likelihood can use: inverted or zero-width bounds, sigmas that
 *  are not positive, normsys factors that are not positive (their logarithm is interpolated),
 *  negative observations, and bins whose nominal expected yield is negative (a NaN likelihood). */
export function checkMeaning(ws: Workspace): string[] {
  const problems: string[] = [];
  ws.measurements.forEach((m, i) => {
    m.config.parameters.forEach((p, j) => {
      const pp = `measurements[${i}].config.parameters[${j}]`;
      p.bounds?.forEach(([lo, hi], k) => {
        if (lo > hi) problems.push(`${pp}.bounds[${k}]: inverted bounds [${lo}, ${hi}] of parameter '${p.name}'`);
        else if (lo === hi && !p.fixed) problems.push(`${pp}.bounds[${k}]: zero-width bounds [${lo}, ${hi}] of parameter '${p.name}' (set "fixed": true to fix it)`);
      });
      p.sigmas?.forEach((sg, k) => {
        if (!(sg > 0)) problems.push(`${pp}.sigmas[${k}]: sigma of parameter '${p.name}' must be > 0, got ${sg}`);
      });
    });
  });
  ws.observations.forEach((o, i) => {
    const k = o.data.findIndex((v) => v < 0);
    if (k >= 0) problems.push(`observations[${i}].data[${k}]: negative observed count ${o.data[k]} in channel '${o.name}'`);
  });
  ws.channels.forEach((ch, c) => {
    ch.samples.forEach((s, si) => {
      s.modifiers.forEach((m, mi) => {
        if (m.type !== 'normsys') return;
        for (const side of ['hi', 'lo'] as const) {
          if (!(m.data[side] > 0)) problems.push(`channels[${c}].samples[${si}].modifiers[${mi}].data.${side}: normsys factor of '${m.name}' must be > 0, got ${m.data[side]}`);
        }
      });
    });
    const nbins = ch.samples[0]!.data.length;
    for (let b = 0; b < nbins; b++) {
      let total = 0;
      for (const s of ch.samples) total += s.data[b] ?? 0;
      if (total < 0) {
        problems.push(`channels[${c}].samples[*].data[${b}]: the nominal expected yield of bin ${b} of channel '${ch.name}' is ${total} < 0 (the Poisson likelihood is NaN)`);
        break;
      }
    }
  });
  return problems;
}

/** The measurement called `name`, or the first one. */
export function getMeasurement(ws: Workspace, name?: string): Measurement {
  if (name === undefined) return ws.measurements[0]!;
  const m = ws.measurements.find((x) => x.name === name);
  if (!m) {
    throw new UserError(`measurement '${name}' not found (workspace has: ${ws.measurements.map((x) => x.name).join(', ')})`);
  }
  return m;
}

export interface PruneSpec {
  channels?: string[];
  samples?: string[];
  modifiers?: string[];
  modifierTypes?: ModifierType[];
  measurements?: string[];
}

/** Like `pyhf prune`: drop channels, samples, modifiers (by name or type) and measurements. */
export function pruneWorkspace(ws: Workspace, spec: PruneSpec): Workspace {
  const drop = (list: string[] | undefined) => new Set(list ?? []);
  const ch = drop(spec.channels), sa = drop(spec.samples), mo = drop(spec.modifiers), me = drop(spec.measurements);
  const ty = new Set<string>(spec.modifierTypes ?? []);
  const out: Workspace = {
    version: '1.0.0',
    channels: ws.channels
      .filter((c) => !ch.has(c.name))
      .map((c) => ({
        name: c.name,
        samples: c.samples
          .filter((s) => !sa.has(s.name))
          .map((s) => ({ ...s, modifiers: s.modifiers.filter((m) => !mo.has(m.name) && !ty.has(m.type)) })),
      }))
      .filter((c) => c.samples.length > 0),
    observations: ws.observations.filter((o) => !ch.has(o.name)),
    measurements: ws.measurements
      .filter((m) => !me.has(m.name))
      .map((m) => ({ name: m.name, config: { poi: m.config.poi, parameters: m.config.parameters.filter((p) => !mo.has(p.name)) } })),
  };
  return loadWorkspace(out, 'pruned workspace');
}

export interface RenameSpec {
  channels?: Record<string, string>;
  samples?: Record<string, string>;
  modifiers?: Record<string, string>;
  measurements?: Record<string, string>;
}

/** Like `pyhf rename`: rename channels, samples, modifiers (also in measurement configs and POI), measurements. */
export function renameWorkspace(ws: Workspace, spec: RenameSpec): Workspace {
  const r = (map: Record<string, string> | undefined, name: string) => (map && Object.hasOwn(map, name) ? map[name]! : name);
  const out: Workspace = {
    version: '1.0.0',
    channels: ws.channels.map((c) => ({
      name: r(spec.channels, c.name),
      samples: c.samples.map((s) => ({
        ...s,
        name: r(spec.samples, s.name),
        modifiers: s.modifiers.map((m) => ({ ...m, name: r(spec.modifiers, m.name) }) as Modifier),
      })),
    })),
    observations: ws.observations.map((o) => ({ ...o, name: r(spec.channels, o.name) })),
    measurements: ws.measurements.map((m) => ({
      name: r(spec.measurements, m.name),
      config: {
        poi: r(spec.modifiers, m.config.poi),
        parameters: m.config.parameters.map((p) => ({ ...p, name: r(spec.modifiers, p.name) })),
      },
    })),
  };
  return loadWorkspace(out, 'renamed workspace');
}

/** Like `pyhf combine`. Channels must be distinct, except that with join 'outer' a channel defined
 *  identically in both is kept once (with its observation). Measurements: with join 'none' (pyhf's
 *  default) no name may appear in both; otherwise (the default here, pyhf's 'outer') measurements of
 *  the same name are merged when their POIs agree, parameter configs taken from both (a conflicting
 *  config is an error). */
export function combineWorkspaces(a: Workspace, b: Workspace, opts: { join?: 'none' | 'outer' } = {}): Workspace {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const shared = new Set(opts.join === 'outer'
    ? a.channels.filter((c) => b.channels.some((d) => d.name === c.name && same(c, d))
      && same(a.observations.find((o) => o.name === c.name), b.observations.find((o) => o.name === c.name))).map((c) => c.name)
    : []);
  const clash = a.channels.map((c) => c.name).filter((n) => !shared.has(n) && b.channels.some((c) => c.name === n));
  if (clash.length > 0) throw new UserError(`cannot combine workspaces: channel(s) ${clash.join(', ')} appear in both${opts.join === 'outer' ? ' with different contents' : ''}`);
  if (opts.join === 'none') {
    const common = a.measurements.map((m) => m.name).filter((n) => b.measurements.some((m) => m.name === n));
    if (common.length > 0) throw new UserError(`cannot combine workspaces: measurement(s) ${common.join(', ')} appear in both (join 'none'; try join 'outer')`);
  }
  const measurements: Measurement[] = a.measurements.map((m) => structuredClone(m));
  for (const mb of b.measurements) {
    const ma = measurements.find((m) => m.name === mb.name);
    if (!ma) { measurements.push(structuredClone(mb)); continue; }
    if (ma.config.poi !== mb.config.poi) {
      throw new UserError(`cannot combine workspaces: measurement '${mb.name}' has POI '${ma.config.poi}' in one and '${mb.config.poi}' in the other`);
    }
    for (const p of mb.config.parameters) {
      const pa = ma.config.parameters.find((q) => q.name === p.name);
      if (!pa) ma.config.parameters.push(structuredClone(p));
      else if (JSON.stringify(pa) !== JSON.stringify(p)) {
        throw new UserError(`cannot combine workspaces: measurement '${mb.name}' configures parameter '${p.name}' differently`);
      }
    }
  }
  return loadWorkspace({
    version: '1.0.0',
    channels: [...a.channels, ...b.channels.filter((c) => !shared.has(c.name))],
    observations: [...a.observations, ...b.observations.filter((o) => !shared.has(o.name))],
    measurements,
  }, 'combined workspace');
}

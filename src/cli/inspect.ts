// `flow inspect WS.json [--measurement M] [--json]`: summary like `pyhf inspect`.
import { enableCompileCache } from 'node:module';
import { parseStatsArgs, namingFile, type StatsArgs } from './stats-args.ts';
import type { Model } from '../stats/model.ts';
import type { Workspace } from '../stats/workspace.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow inspect WS.json [--measurement M] [--json]

  Channels (bins), samples, parameters (type, count, init, bounds, fixed), modifiers and measurements.
  The summary line counts as \`pyhf inspect\` does: parameters are parameter sets (a staterror or
  shapesys of n bins is one), modifiers are distinct modifier names (a normsys and a histosys of one
  systematic are one); the line below it gives the per-bin counts.`;

/** pyhf inspect's counts: the model's parameter sets, and distinct modifier names in the workspace. */
export function inspectCounts(ws: Workspace, model: Model): { parameters: number; modifiers: number } {
  const names = new Set<string>();
  for (const ch of ws.channels) for (const s of ch.samples) for (const m of s.modifiers) names.add(m.name);
  return { parameters: model.paramSets.length, modifiers: names.size };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('inspect', argv);
  if (args.help) { console.log(usage); return 0; }
  return namingFile(args.file, () => runInspect(args));
}

async function runInspect(args: StatsArgs): Promise<number> {
  // the stats modules load lazily, after turning on Node's compile cache: stripped TypeScript and
  // compiled code are reused across runs, which cuts the start-up of short commands about threefold
  enableCompileCache?.();
  const { ws, model } = await loadStatsModel(args);
  const modifiers = new Map<string, string>();
  for (const ch of ws.channels) for (const s of ch.samples) for (const m of s.modifiers) modifiers.set(`${m.name}\u0000${m.type}`, m.type);
  // a cabinetry NormPlusShape systematic is a histosys and a normsys of one name, one parameter
  const typesOf = new Map<string, Set<string>>();
  for (const m of modifiers.keys()) { const [name, type] = m.split('\u0000'); (typesOf.get(name!) ?? typesOf.set(name!, new Set()).get(name!)!).add(type!); }
  const counts = inspectCounts(ws, model);
  const params = model.paramSets.map((p) => ({
    name: p.name, type: p.type, n: p.n, constraint: p.constraint ?? 'none',
    modifier_types: [...(typesOf.get(p.name) ?? [p.type])].sort(),
    init: Array.from(model.init.subarray(p.offset, p.offset + p.n)),
    bounds: Array.from({ length: p.n }, (_, i) => [model.lower[p.offset + i]!, model.upper[p.offset + i]!]),
    fixed: Array.from(model.fixed.subarray(p.offset, p.offset + p.n), Boolean),
  }));
  const summary = {
    channels: model.channels.map((c) => ({ name: c.name, bins: c.nbins, samples: c.samples })),
    samples: model.samples,
    parameters: params,
    modifiers: [...modifiers.keys()].map((k) => { const [name, type] = k.split('\u0000'); return { name: name!, type: type! }; })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    measurements: ws.measurements.map((m) => ({ name: m.name, poi: m.config.poi, parameters: m.config.parameters.map((p) => p.name) })),
    poi: model.poiName, n_parameters: model.nPars, n_bins: model.nMain, n_auxdata: model.nAux,
    // pyhf inspect's counts: parameter sets and distinct modifier names
    n_parameter_sets: counts.parameters, n_modifiers: counts.modifiers,
  };
  if (args.json) { console.log(JSON.stringify(summary)); return 0; }
  const out: string[] = [];
  const cw = Math.max(7, ...summary.channels.map((c) => c.name.length));
  const pw = Math.max(9, ...params.map((p) => p.name.length));
  out.push(`Summary (measurement ${model.measurement})`);
  out.push(`  channels ${summary.channels.length}, samples ${summary.samples.length}, parameters ${counts.parameters}, modifiers ${counts.modifiers}, bins ${model.nMain}`);
  out.push(`  per bin: ${model.nPars} parameters (vector parameters name[i] counted per element), ${summary.modifiers.length} (name, type) modifier pairs, ${model.nAux} auxdata`);
  out.push('', `  ${'channel'.padEnd(cw)} bins  samples`);
  for (const c of summary.channels) out.push(`  ${c.name.padEnd(cw)} ${String(c.bins).padStart(4)}  ${c.samples.join(', ')}`);
  const tw = Math.max(12, ...params.map((p) => p.modifier_types.join('+').length));
  out.push('', `  ${'parameter'.padEnd(pw)} ${'type'.padEnd(tw)} ${'n'.padStart(3)}  constraint  init / bounds`);
  for (const p of params) {
    const b = p.bounds[0]!;
    const fx = p.fixed.every(Boolean) ? '  fixed' : p.fixed.some(Boolean) ? `  fixed ${p.fixed.filter(Boolean).length}/${p.n}` : '';
    out.push(`  ${p.name.padEnd(pw)} ${p.modifier_types.join('+').padEnd(tw)} ${String(p.n).padStart(3)}  ${p.constraint.padEnd(10)}  ${p.init[0]} / [${b[0]}, ${b[1]}]${fx}${p.name === model.poiName ? '  (POI)' : ''}`);
  }
  out.push('', '  measurements');
  for (const m of summary.measurements) out.push(`    ${m.name} (POI ${m.poi})${m.parameters.length ? `: configures ${m.parameters.join(', ')}` : ''}`);
  console.log(out.join('\n'));
  return 0;
}

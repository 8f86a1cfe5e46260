// `flow limit WS.json [--measurement M] [--poi-value 1] [--json]`: asymptotic CLs (qtilde) at one POI
// value, 95% CL upper limits (observed and expected band) and the discovery significance.
import { enableCompileCache } from 'node:module';
import { checkPoiValue, parseStatsArgs, namingFile, type StatsArgs } from './stats-args.ts';

const usage = `usage: flow limit WS.json [--measurement M] [--poi-value 1] [--scan-limits] [--json]

  Asymptotic CLs with the qtilde test statistic at --poi-value (default 1), the 95% CL upper limit on
  the POI (observed and -2..+2 sigma expected, by root finding to a relative 1e-5) and the discovery
  p0 / significance. A limit past the POI's upper bound is found with the POI fixed past it and
  flagged; --scan-limits uses pyhf's 201-point scan over the bounds instead (resolution: its step).
  upper_limit_outside says per limit (observed, then expected) 'above' / 'below' / null,
  upper_limit_resolution gives each one's absolute resolution, upper_limit_notes says it in words.
  --json prints {"cls_obs": x, "cls_exp": [5 values], "upper_limit_obs": x, "upper_limit_exp": [5 values],
                 "p0_obs": x, "p0_exp": x, "significance_obs": z, "significance_exp": z}`;

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('limit', argv, { poiValue: true, scanLimits: true });
  if (args.help) { console.log(usage); return 0; }
  return namingFile(args.file, () => runLimit(args));
}

async function runLimit(args: StatsArgs): Promise<number> {
  // the stats modules load lazily, after turning on Node's compile cache: stripped TypeScript and
  // compiled code are reused across runs, which cuts the start-up of short commands about threefold
  enableCompileCache?.();
  const { hypotestAt, hypotestContext } = await import('../stats/infer/hypotest.ts');
  const { significance } = await import('../stats/infer/significance.ts');
  const { limitNotes, upperLimit } = await import('../stats/infer/upper-limit.ts');
  const { readWorkspaceFile } = await import('../stats/load.ts');
  const { buildModel } = await import('../stats/model.ts');
  const model = buildModel(readWorkspaceFile(args.file), args.measurement, args.model);
  checkPoiValue('limit', args.file, model, args.poiValue);
  const mu = args.poiValue ?? 1;
  const ctx = hypotestContext(model);
  const h = hypotestAt(ctx, mu);
  const ul = upperLimit(model, { context: ctx, method: args.scanLimits ? 'scan' : 'root' });
  const notes = limitNotes(ul, model.poiName, model.lower[model.poiIndex]!, model.upper[model.poiIndex]!);
  const sig = significance(model, ctx.data, 1, ctx);
  const out = {
    cls_obs: h.clsObs, cls_exp: h.clsExp, upper_limit_obs: ul.obs, upper_limit_exp: ul.exp,
    p0_obs: sig.p0Obs, p0_exp: sig.p0Exp, significance_obs: sig.zObs, significance_exp: sig.zExp,
    poi: model.poiName, poi_value: mu, upper_limit_method: ul.method,
    upper_limit_outside: ul.outside, upper_limit_resolution: ul.resolution, upper_limit_notes: notes,
  };
  if (args.json) {
    console.log(JSON.stringify(out));
  } else {
    const f = (x: number) => x.toPrecision(5);
    console.log(`measurement ${model.measurement}, POI ${model.poiName}`);
    console.log(`CLs(${model.poiName} = ${mu}): observed ${f(h.clsObs)}, expected ${h.clsExp.map(f).join(' / ')} (-2..+2 sigma)`);
    console.log(`95% CL upper limit: observed ${f(ul.obs)}, expected ${ul.exp.map(f).join(' / ')} (-2..+2 sigma)`);
    for (const n of notes) console.log(`  note: ${n}`);
    console.log(`discovery: p0 observed ${f(sig.p0Obs)} (Z = ${sig.zObs.toFixed(3)}), expected ${f(sig.p0Exp)} (Z = ${sig.zExp.toFixed(3)})`);
  }
  return 0;
}

// `flow limit WS.json [--measurement M] [--poi-value 1] [--toys N] [--json]`: CLs (qtilde; asymptotic or
// from toys) at one POI value, 95% CL upper limits (observed and expected band) and the discovery significance.
import { enableCompileCache } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkWritableDir } from './writable-dir.ts';
import { checkPoiValue, parseStatsArgs, namingFile, type StatsArgs } from './stats-args.ts';

const usage = `usage: flow limit WS.json [--measurement M] [--poi-value 1] [--scan-limits] [--toys N [--seed S] [--out DIR]] [--json]

  Asymptotic CLs with the qtilde test statistic at --poi-value (default 1), the 95% CL upper limit on
  the POI (observed and -2..+2 sigma expected, by root finding to a relative 1e-5) and the discovery
  p0 / significance. A limit past the POI's upper bound is found with the POI fixed past it and
  flagged; --scan-limits uses pyhf's 201-point scan over the bounds instead (resolution: its step).
  upper_limit_outside says per limit (observed, then expected) 'above' / 'below' / null,
  upper_limit_resolution gives each one's absolute resolution, upper_limit_notes says it in words.
  --toys N: CLs at --poi-value from N toys per hypothesis (pyhf's ToyCalculator: qtilde, CLs+b and
  CLb as tail fractions, expected band from the b-only toys; seeded by --seed, default 0) instead of
  asymptotics; adds "calculator": "toys", "ntoys", "cls_obs_error" (binomial). Upper limits stay
  asymptotic. --out DIR writes the figure DIR/toys.svg (the two test-statistic distributions).
  --json prints {"cls_obs": x, "cls_exp": [5 values], "upper_limit_obs": x, "upper_limit_exp": [5 values],
                 "p0_obs": x, "p0_exp": x, "significance_obs": z, "significance_exp": z}`;

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('limit', argv, { poiValue: true, scanLimits: true, options: { toys: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } } });
  const { toys: toysText, seed: seedText, out: outDir } = args.own as Record<string, string | undefined>;
  const ntoys = toysText === undefined ? undefined : Number(toysText);
  if (ntoys !== undefined && !(Number.isInteger(ntoys) && ntoys >= 1)) throw new UserError(`flow limit: --toys must be a positive integer, got '${toysText}'`);
  const seed = seedText === undefined ? 0 : Number(seedText);
  if (!(Number.isInteger(seed) && seed >= 0)) throw new UserError(`flow limit: --seed must be a non-negative integer, got '${seedText}'`);
  if (ntoys === undefined && (seedText !== undefined || outDir !== undefined)) throw new UserError('flow limit: --seed and --out apply to --toys only');
  if (args.help) { console.log(usage); return 0; }
  return namingFile(args.file, () => runLimit(args, { ntoys, seed, outDir }));
}

async function runLimit(args: StatsArgs, { ntoys, seed, outDir }: { ntoys: number | undefined; seed: number; outDir: string | undefined }): Promise<number> {
  // the stats modules load lazily, after turning on Node's compile cache: stripped TypeScript and
  // compiled code are reused across runs, which cuts the start-up of short commands about threefold
  if (outDir) checkWritableDir(outDir, 'flow limit --out');
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
  const asymptotic = hypotestAt(ctx, mu);
  const toys = ntoys === undefined ? undefined : (await import('../stats/infer/toys.ts')).toyHypotest(model, mu, { ntoys, seed });
  const h = toys ?? asymptotic;
  if (toys && outDir) {
    const { toysPlot } = await import('../plot/toys.ts');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'toys.svg'), await toysPlot({ poi: model.poiName, mu, qObs: toys.qObs, sb: toys.sb, b: toys.b }));
  }
  const ul = upperLimit(model, { context: ctx, method: args.scanLimits ? 'scan' : 'root' });
  const notes = limitNotes(ul, model.poiName, model.lower[model.poiIndex]!, model.upper[model.poiIndex]!);
  const sig = significance(model, ctx.data, 1, ctx);
  const result = {
    cls_obs: h.clsObs, cls_exp: h.clsExp, upper_limit_obs: ul.obs, upper_limit_exp: ul.exp,
    p0_obs: sig.p0Obs, p0_exp: sig.p0Exp, significance_obs: sig.zObs, significance_exp: sig.zExp,
    poi: model.poiName, poi_value: mu, upper_limit_method: ul.method,
    calculator: toys ? 'toys' : 'asymptotics', ...(toys ? { ntoys, seed, cls_obs_error: toys.clsObsError } : {}),
    upper_limit_outside: ul.outside, upper_limit_resolution: ul.resolution, upper_limit_notes: notes,
  };
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    const f = (x: number) => x.toPrecision(5);
    console.log(`measurement ${model.measurement}, POI ${model.poiName}`);
    console.log(`CLs(${model.poiName} = ${mu}): observed ${f(h.clsObs)}${toys ? ` ± ${toys.clsObsError.toPrecision(2)}` : ''}, expected ${h.clsExp.map(f).join(' / ')} (-2..+2 sigma)${toys ? ` from ${ntoys} toys per hypothesis (seed ${seed}); asymptotic: observed ${f(asymptotic.clsObs)}` : ''}`);
    console.log(`95% CL upper limit: observed ${f(ul.obs)}, expected ${ul.exp.map(f).join(' / ')} (-2..+2 sigma)`);
    for (const n of notes) console.log(`  note: ${n}`);
    console.log(`discovery: p0 observed ${f(sig.p0Obs)} (Z = ${sig.zObs.toFixed(3)}), expected ${f(sig.p0Exp)} (Z = ${sig.zExp.toFixed(3)})`);
  }
  return 0;
}

// `flow limit WS.json [--measurement M] [--poi-value 1] [--toys N] [--json]`: CLs (qtilde; asymptotic or
// from toys) at one POI value, 95% CL upper limits (observed and expected band) and the discovery significance.
import { enableCompileCache } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkWritableDir } from './writable-dir.ts';
import { checkPoiValue, numberList, parseStatsArgs, namingFile, type StatsArgs } from './stats-args.ts';
import { availableParallelism } from 'node:os';
import type { Model } from '../stats/model.ts';
import type { Workspace } from '../stats/workspace.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow limit WS.json [--measurement M] [--poi-value 1] [--scan-limits] [--json]
                  [--toys N [--seed S] [--workers W] [--toy-points P] [--toy-range lo,hi] [--out DIR]]

  Asymptotic CLs with the qtilde test statistic at --poi-value (default 1), the 95% CL upper limit on
  the POI (observed and -2..+2 sigma expected, by root finding to a relative 1e-5) and the discovery
  p0 / significance. A limit past the POI's upper bound is found with the POI fixed past it and
  flagged; --scan-limits uses pyhf's 201-point scan over the bounds instead (resolution: its step).
  upper_limit_outside says per limit (observed, then expected) 'above' / 'below' / null,
  upper_limit_resolution gives each one's absolute resolution, upper_limit_notes says it in words.
  --toys N: pyhf's ToyCalculator with N toys per hypothesis (qtilde, CLs+b and CLb as tail fractions,
  expected band from the b-only toys; seeded by --seed, default 0): CLs at --poi-value, and the upper
  limits from toy CLs on a grid of --toy-points POI values (default 10; 0: limits stay asymptotic)
  over --toy-range (default: half the smallest to 1.5 x the largest asymptotic limit), interpolated
  where CLs first falls below 0.05. Adds "calculator": "toys", "ntoys", "cls_obs_error",
  "upper_limit_method": "toys", "upper_limit_obs_error", "upper_limit_obs_asymptotic",
  "upper_limit_exp_asymptotic", "toy_scan". The batches run on --workers threads (default: the cores);
  --out DIR writes DIR/toys.svg (the two test-statistic distributions) and keeps finished batches in
  DIR/toys-batches.jsonl, which the next run with the same settings reuses.
  --json prints {"cls_obs": x, "cls_exp": [5 values], "upper_limit_obs": x, "upper_limit_exp": [5 values],
                 "p0_obs": x, "p0_exp": x, "significance_obs": z, "significance_exp": z}`;

interface ToyArgs { ntoys: number | undefined; seed: number; outDir: string | undefined; workers: number; points: number; range?: [number, number] }

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('limit', argv, { poiValue: true, scanLimits: true, options: {
    toys: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' }, 'toy-points': { type: 'string' }, 'toy-range': { type: 'string' },
  } });
  const own = args.own as Record<string, string | undefined>;
  const ntoys = own.toys === undefined ? undefined : Number(own.toys);
  if (ntoys !== undefined && !(Number.isInteger(ntoys) && ntoys >= 1)) throw new UserError(`flow limit: --toys must be a positive integer, got '${own.toys}'`);
  const seed = own.seed === undefined ? 0 : Number(own.seed);
  if (!(Number.isInteger(seed) && seed >= 0)) throw new UserError(`flow limit: --seed must be a non-negative integer, got '${own.seed}'`);
  const toyOnly = ['seed', 'out', 'workers', 'toy-points', 'toy-range'].filter((k) => own[k] !== undefined);
  if (ntoys === undefined && toyOnly.length) throw new UserError(`flow limit: --${toyOnly[0]} applies to --toys only`);
  const workers = own.workers === undefined ? Math.min(availableParallelism(), 8) : Number(own.workers);
  if (!(Number.isInteger(workers) && workers >= 1)) throw new UserError(`flow limit: --workers must be a positive integer, got '${own.workers}'`);
  const points = own['toy-points'] === undefined ? 10 : Number(own['toy-points']);
  if (!(Number.isInteger(points) && points >= 0 && points <= 1000)) throw new UserError(`flow limit: --toy-points must be an integer in 0..1000, got '${own['toy-points']}'`);
  const r = own['toy-range'] === undefined ? undefined : numberList('limit', 'toy-range', own['toy-range'], [2]);
  if (r && !(r[0]! < r[1]!)) throw new UserError(`flow limit: --toy-range must be lo,hi with lo < hi, got '${own['toy-range']}'`);
  if (args.help) { console.log(usage); return 0; }
  return namingFile(args.file, () => runLimit(args, { ntoys, seed, outDir: own.out, workers, points, range: r as [number, number] | undefined }));
}

async function runLimit(args: StatsArgs, toyArgs: ToyArgs): Promise<number> {
  const { ntoys, seed, outDir } = toyArgs;
  // the stats modules load lazily, after turning on Node's compile cache: stripped TypeScript and
  // compiled code are reused across runs, which cuts the start-up of short commands about threefold
  if (outDir) checkWritableDir(outDir, 'flow limit --out');
  enableCompileCache?.();
  const { hypotestAt, hypotestContext } = await import('../stats/infer/hypotest.ts');
  const { significance } = await import('../stats/infer/significance.ts');
  const { limitNotes, upperLimit } = await import('../stats/infer/upper-limit.ts');
  const { ws, model } = await loadStatsModel(args);
  checkPoiValue('limit', args.file, model, args.poiValue);
  const mu = args.poiValue ?? 1;
  const ctx = hypotestContext(model);
  const asymptotic = hypotestAt(ctx, mu);
  const ul = upperLimit(model, { context: ctx, method: args.scanLimits ? 'scan' : 'root' });
  const toys = ntoys === undefined ? undefined : await runToys(ws, model, mu, ul, { ...toyArgs, ntoys }, args);
  const h = toys?.at ?? asymptotic;
  if (toys && outDir) {
    const { toysPlot } = await import('../plot/toys.ts');
    writeFileSync(join(outDir, 'toys.svg'), await toysPlot({ poi: model.poiName, mu, qObs: toys.at.qObs, sb: toys.at.sb, b: toys.at.b }));
  }
  const notes = [...limitNotes(ul, model.poiName, model.lower[model.poiIndex]!, model.upper[model.poiIndex]!).map((n) => (toys?.limit ? `asymptotic: ${n}` : n)), ...(toys?.notes ?? [])];
  const sig = significance(model, ctx.data, 1, ctx);
  const tl = toys?.limit;
  const result = {
    cls_obs: h.clsObs, cls_exp: h.clsExp, upper_limit_obs: tl?.obs ?? ul.obs, upper_limit_exp: tl?.exp ?? ul.exp,
    p0_obs: sig.p0Obs, p0_exp: sig.p0Exp, significance_obs: sig.zObs, significance_exp: sig.zExp,
    poi: model.poiName, poi_value: mu, upper_limit_method: tl ? 'toys' : ul.method,
    calculator: toys ? 'toys' : 'asymptotics',
    ...(toys ? { ntoys, seed, cls_obs_error: toys.at.clsObsError } : {}),
    upper_limit_outside: tl?.outside ?? ul.outside, upper_limit_resolution: tl ? new Array(6).fill(tl.resolution) : ul.resolution, upper_limit_notes: notes,
    ...(tl ? { upper_limit_obs_error: tl.obsError, upper_limit_obs_asymptotic: ul.obs, upper_limit_exp_asymptotic: ul.exp, toy_scan: tl.points } : {}),
  };
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    const f = (x: number) => x.toPrecision(5);
    console.log(`measurement ${model.measurement}, POI ${model.poiName}`);
    console.log(`CLs(${model.poiName} = ${mu}): observed ${f(h.clsObs)}${toys ? ` ± ${toys.at.clsObsError.toPrecision(2)}` : ''}, expected ${h.clsExp.map(f).join(' / ')} (-2..+2 sigma)${toys ? ` from ${ntoys} toys per hypothesis (seed ${seed}); asymptotic: observed ${f(asymptotic.clsObs)}` : ''}`);
    console.log(`95% CL upper limit${tl ? ' from toys' : ''}: observed ${f(result.upper_limit_obs)}${tl ? ` ± ${tl.obsError.toPrecision(2)}` : ''}, expected ${result.upper_limit_exp.map(f).join(' / ')} (-2..+2 sigma)`);
    if (tl) console.log(`asymptotic upper limit: observed ${f(ul.obs)}, expected ${ul.exp.map(f).join(' / ')}`);
    for (const n of notes) console.log(`  note: ${n}`);
    console.log(`discovery: p0 observed ${f(sig.p0Obs)} (Z = ${sig.zObs.toFixed(3)}), expected ${f(sig.p0Exp)} (Z = ${sig.zExp.toFixed(3)})`);
  }
  return 0;
}

/** Toy CLs at mu and (with --toy-points > 0) the toy upper limits over a grid, on worker threads;
 *  with --out, finished batches are kept in DIR/toys-batches.jsonl and reused by the next run. */
async function runToys(ws: Workspace, model: Model, mu: number, ul: { obs: number; exp: number[] }, t: ToyArgs & { ntoys: number }, args: StatsArgs) {
  const [{ modelRef }, { threadRunner }, limits] = await Promise.all([
    import('../stats/model-cache.ts'), import('../stats/infer/toy-threads.ts'), import('../stats/infer/toy-limit.ts'),
  ]);
  if (t.outDir) mkdirSync(t.outDir, { recursive: true });
  const run = threadRunner(modelRef(ws, args.measurement, args.model), t.workers, t.outDir ? join(t.outDir, 'toys-batches.jsonl') : undefined);
  const lower = model.lower[model.poiIndex]!;
  const grid = t.points === 0 ? [] : t.range ? limits.linearGrid(t.range[0], t.range[1], t.points) : limits.toyGrid([ul.obs, ...ul.exp], t.points, lower);
  const all = [...new Set([mu, ...grid])];
  const results = await limits.toyScan(model, all, { ntoys: t.ntoys, seed: t.seed }, run);
  const at = results[all.indexOf(mu)]!;
  const scan = grid.map((g) => results[all.indexOf(g)]!);
  const limit = scan.length ? limits.toyLimitFromScan(scan) : undefined;
  const notes = [...(limit ? limits.toyLimitNotes(limit, model.poiName) : []), ...(run.reused() ? [`${run.reused()} toy batches reused from ${join(t.outDir!, 'toys-batches.jsonl')}`] : [])];
  return { at, limit, notes };
}

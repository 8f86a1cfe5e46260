// `flow scan WS.json --par P[,Q] --points N [--range lo,hi[,lo2,hi2]] [--measurement M] [--json] [--out DIR]`:
// profile-likelihood scan (cabinetry's fit.scan, Combine's MultiDimFit --algo grid).
import { enableCompileCache } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkWritableDir } from './writable-dir.ts';
import { nameList, numberList, parseStatsArgs } from './stats-args.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow scan WS.json --par P[,Q] [--points N] [--range lo,hi[,lo2,hi2]] [--measurement M] [--json] [--workers N] [--out DIR]

  Profile-likelihood scan of one or two parameters: at each of N evenly spaced values per parameter
  (default 21, ends included) over --range (default: the parameter's bounds) the parameters are fixed
  and all others re-fitted; reports twice_nll minus the best fit's.
  --json prints {"pars": [...], "twice_nll_min": x, "bestfit": [...], "points": [[p, (q,) twice_nll - min], ...]}
  --out DIR writes DIR/scan.json and the figure DIR/scan.svg (1 and 2 sigma lines; 2D: 68% / 95% contours).
  --workers N: the points on N worker threads (default: the cores, up to 8, from 16 points on).`;

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('scan', argv, { options: { par: { type: 'string' }, points: { type: 'string' }, range: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' } } });
  if (args.help) { console.log(usage); return 0; }
  const { par, points: pointsText, range, out, workers: workersText } = args.own as Record<string, string | undefined>;
  const workers = workersText === undefined ? undefined : Number(workersText);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UserError(`flow scan: --workers must be a positive integer, got '${workersText}'`);
  if (!par) throw new UserError('flow scan: --par P[,Q] is required (flow scan --help)');
  const pars = nameList(par);
  if (pars.length < 1 || pars.length > 2) throw new UserError(`flow scan: --par takes one or two parameters, got '${par}'`);
  const points = pointsText === undefined ? 21 : Number(pointsText);
  if (!(Number.isInteger(points) && points >= 1 && points <= 10_000)) throw new UserError(`flow scan: --points must be an integer in 1..10000, got '${pointsText}'`);
  const r = range === undefined ? undefined : numberList('scan', 'range', range, [2, 2 * pars.length]);
  const ranges = r ? pars.map((_, k): [number, number] => (r.length === 2 ? [r[0]!, r[1]!] : [r[2 * k]!, r[2 * k + 1]!])) : undefined;
  if (out) checkWritableDir(out, 'flow scan --out');
  enableCompileCache?.();
  const { scanGrid, scanResult } = await import('../stats/infer/scan.ts');
  const { fit } = await import('../stats/fit.ts');
  const { defaultThreads, mapOnThreads } = await import('../stats/threads/pool.ts');
  const { modelRef } = await import('../stats/model-cache.ts');
  const { ws, model } = await loadStatsModel(args);
  // scan()'s points, spread over worker threads
  const grid = scanGrid(model, { pars, points, ranges }, `flow scan ${args.file}`);
  const free = fit(model, { hesse: false });
  const nll = await mapOnThreads(modelRef(ws, args.measurement, args.model), 'scan', grid.points, { indices: grid.indices }, workers ?? defaultThreads(grid.points.length));
  const result = scanResult(grid, free.twiceNll, grid.indices.map((i) => free.bestfit[i]!), nll);
  if (out) {
    const { scanPlot } = await import('../plot/scan.ts');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'scan.json'), `${JSON.stringify(result, null, 1)}\n`);
    writeFileSync(join(out, 'scan.svg'), await scanPlot(result));
  }
  if (args.json) { console.log(JSON.stringify(result)); return 0; }
  console.log(`measurement ${model.measurement}: scan of ${pars.join(', ')}, ${result.points.length} points; twice_nll_min = ${result.twice_nll_min.toFixed(6)} at ${pars.map((p, k) => `${p} = ${result.bestfit[k]!.toPrecision(6)}`).join(', ')}`);
  console.log(`${pars.map((p) => p.padStart(12)).join('  ')}  ${'2 dNLL'.padStart(12)}`);
  for (const pt of result.points) console.log(pt.map((v) => v.toPrecision(6).padStart(12)).join('  '));
  return 0;
}

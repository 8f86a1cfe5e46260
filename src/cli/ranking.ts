// `flow ranking WS.json [--measurement M] [--json] [--top N] [--out DIR]`: impacts of every floating
// parameter on the POI with cabinetry's definition (fit.ranking), and the ranking figure.
import { enableCompileCache } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkWritableDir } from './writable-dir.ts';
import { parseStatsArgs } from './stats-args.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow ranking WS.json [--measurement M] [--json] [--top N] [--workers N] [--out DIR]

  Impacts on the POI (cabinetry's fit.ranking): each floating parameter held at its best fit +- its
  pre-fit and +- its post-fit uncertainty, all others re-fitted from the suggested init; the POI shift
  from its best fit. Ranked by the larger post-fit impact.
  --json prints {"poi": P, "poi_bestfit": x, "poi_uncertainty": x, "parameters": [{"name", "bestfit",
                 "uncertainty", "prefit_uncertainty", "pull", "prefit_up", "prefit_down", "postfit_up", "postfit_down"}, ...]}
  --out DIR writes DIR/ranking.json and the figure DIR/ranking.svg (pulls and impacts of the top N, default 20).
  --workers N: the fits on N worker threads (default: the cores, up to 8, from 16 fits on).`;

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('ranking', argv, { options: { top: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' } } });
  if (args.help) { console.log(usage); return 0; }
  const { top: topText, out, workers: workersText } = args.own as Record<string, string | undefined>;
  const workers = workersText === undefined ? undefined : Number(workersText);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UserError(`flow ranking: --workers must be a positive integer, got '${workersText}'`);
  const top = topText === undefined ? 20 : Number(topText);
  if (!(Number.isInteger(top) && top >= 1)) throw new UserError(`flow ranking: --top must be a positive integer, got '${topText}'`);
  if (out) checkWritableDir(out, 'flow ranking --out');
  enableCompileCache?.();
  const { fit } = await import('../stats/fit.ts');
  const { impactPlan, impactsFromShifts, planFits, rankingJson } = await import('../stats/infer/ranking.ts');
  const { defaultThreads, mapOnThreads } = await import('../stats/threads/pool.ts');
  const { modelRef } = await import('../stats/model-cache.ts');
  const { ws, model } = await loadStatsModel(args);
  const nominal = fit(model);
  // rank()'s fits, spread over worker threads
  const plan = impactPlan(model, nominal);
  const fits = planFits(nominal, plan);
  const shifts = new Array<number>(4 * plan.length).fill(NaN);
  const done = await mapOnThreads(modelRef(ws, args.measurement, args.model), 'impact', fits.map((f) => ({ index: f.index, value: f.value })),
    { nominalPoi: nominal.bestfit[model.poiIndex]! }, workers ?? defaultThreads(fits.length));
  fits.forEach((f, k) => { shifts[f.slot] = done[k]!; });
  const result = rankingJson(model, nominal, impactsFromShifts(model, nominal, plan, shifts));
  if (out) {
    const { rankingPlot } = await import('../plot/ranking.ts');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'ranking.json'), `${JSON.stringify(result, null, 1)}\n`);
    writeFileSync(join(out, 'ranking.svg'), await rankingPlot({ ...result, top }));
  }
  if (args.json) { console.log(JSON.stringify(result)); return 0; }
  const w = Math.max(9, ...result.parameters.map((p) => p.name.length));
  const f = (x: number) => x.toPrecision(3).padStart(10);
  console.log(`measurement ${model.measurement}: ${result.poi} = ${result.poi_bestfit.toPrecision(5)} ± ${result.poi_uncertainty.toPrecision(3)}; impacts on ${result.poi}`);
  console.log(`${'parameter'.padEnd(w)}  ${'pull'.padStart(10)}  ${'pre up'.padStart(10)}  ${'pre down'.padStart(10)}  ${'post up'.padStart(10)}  ${'post down'.padStart(10)}`);
  for (const p of result.parameters) {
    console.log(`${p.name.padEnd(w)}  ${p.pull === null ? '—'.padStart(10) : f(p.pull)}  ${f(p.prefit_up)}  ${f(p.prefit_down)}  ${f(p.postfit_up)}  ${f(p.postfit_down)}`);
  }
  return 0;
}

// Statistics toolbox figures (issue 16): a 50-point likelihood scan and the full ranking of the
// sbottom likelihood (pyhf: one hypotest 6.7 s, one upper limit 182 s there), toy CLs on a 1-bin
// model (target: 10k toys per hypothesis under 1 s) and on the sbottom likelihood (small default).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/stats/fit.ts';
import { impactPlan, planFits, rank } from '../src/stats/infer/ranking.ts';
import { mapOnThreads } from '../src/stats/threads/pool.ts';
import { scan } from '../src/stats/infer/scan.ts';
import { toyHypotest } from '../src/stats/infer/toys.ts';
import { toyScan } from '../src/stats/infer/toy-limit.ts';
import { threadRunner } from '../src/stats/infer/toy-threads.ts';
import { modelRef } from '../src/stats/model-cache.ts';
import { buildModel } from '../src/stats/model.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

interface Figure { name: string; value: number; unit: string; note?: string }

const sbottom = fileURLToPath(new URL('../../shared/refs/pyhf/sbottom_regionA_1300_205_60.json', import.meta.url));

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, (performance.now() - t) / 1000];
}

const oneBinWorkspace = () => loadWorkspace({
  version: '1.0.0',
  channels: [{ name: 'c', samples: [
    { name: 's', data: [12], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
    { name: 'b', data: [50], modifiers: [{ name: 'u', type: 'shapesys', data: [7] }] },
  ] }],
  observations: [{ name: 'c', data: [53] }],
  measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
});
const oneBin = () => buildModel(oneBinWorkspace());

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const out: Figure[] = [];
  const toys1 = opts.quick ? 1000 : 10_000;
  const [t1, s1] = time(() => toyHypotest(oneBin(), 1, { ntoys: toys1, seed: 1 }));
  out.push({ name: 'stats.toys.one_bin', value: s1, unit: 's', note: `${toys1} toys per hypothesis, one thread; CLs ${t1.clsObs.toPrecision(3)} ± ${t1.clsObsError.toPrecision(2)}` });
  // the same toys on two worker threads (flow limit --toys; thread start-up included; target < 1 s)
  const t = performance.now();
  const [t2] = await toyScan(oneBin(), [1], { ntoys: toys1, seed: 1 }, threadRunner(modelRef(oneBinWorkspace()), 2));
  const s2 = (performance.now() - t) / 1000;
  out.push({ name: 'stats.toys.one_bin_2_threads', value: s2, unit: 's', note: `${toys1} toys per hypothesis on 2 worker threads (same toys: CLs ${t2!.clsObs.toPrecision(3)}; target < 1 s)` });
  if (!existsSync(sbottom)) return out;
  const c = JSON.parse(readFileSync(sbottom, 'utf8'));
  const sbottomWs = loadWorkspace(c.workspace);
  const model = buildModel(sbottomWs, c.measurement);
  const [sc, tScan] = time(() => scan(model, { pars: [model.poiName], points: opts.quick ? 10 : 50, ranges: [[0, 3]] }));
  out.push({ name: 'stats.scan.sbottom', value: tScan, unit: 's', note: `${sc.points.length} points, one thread (pyhf: one hypotest 6.7 s)` });
  const [impacts, tRank] = time(() => rank(model, { nominal: fit(model) }));
  out.push({ name: 'stats.ranking.sbottom', value: tRank, unit: 's', note: `${impacts.length} parameters, ${4 * impacts.length} fits at most, one thread (target < 5 s on 2 cores)` });
  // the same fits on 2 worker threads, as flow ranking --workers 2 runs them (nominal fit included)
  const t0 = performance.now();
  const nominal = fit(model);
  const fits = planFits(nominal, impactPlan(model, nominal));
  await mapOnThreads(modelRef(sbottomWs, c.measurement), 'impact', fits.map((f) => ({ index: f.index, value: f.value })), { nominalPoi: nominal.bestfit[model.poiIndex]! }, 2);
  out.push({ name: 'stats.ranking.sbottom_2_threads', value: (performance.now() - t0) / 1000, unit: 's', note: `${fits.length} fits on 2 worker threads, thread start-up included (target < 5 s)` });
  const toysSb = opts.quick ? 10 : 50;
  const [, tToys] = time(() => toyHypotest(model, 1, { ntoys: toysSb, seed: 1 }));
  out.push({ name: 'stats.toys.sbottom', value: tToys, unit: 's', note: `${toysSb} toys per hypothesis, one thread (${(tToys / (2 * toysSb) * 1e3).toFixed(1)} ms per toy)` });
  return out;
}

if (import.meta.main) {
  const json = process.argv.includes('--json');
  for (const f of await run({ json, quick: process.argv.includes('--quick') })) {
    console.log(json ? JSON.stringify(f) : `${f.name.padEnd(40)} ${f.value.toPrecision(4).padStart(10)} ${f.unit}  ${f.note ?? ''}`);
  }
}

// Model-size figures (issue 18.5): the cost of a fit, Hesse, a hypotest and an upper limit as the
// model grows along one axis at a time: channels, bins, and parameters of each modifier type.
//   npm run bench -- model-size [--json] [--quick]        sizes 10, 100, 300
//   npm run bench -- model-size --large                    sizes 10, 100, 1000, 3000, 5000
//   npm run bench -- model-size --sizes=10,2000 --axes=normsys,bins
// An axis stops growing once one of its steps takes longer than --budget=S seconds (default 60).
import { fit } from '../src/stats/fit.ts';
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { buildModel } from '../src/stats/model.ts';
import { scalingWorkspace, type ScalingOptions } from '../src/stats/synthetic.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

interface Figure { name: string; value: number; unit: string; note?: string }

/** one axis: the workspace with about `n` of its parameters (or channels, or bins) */
const AXES: Record<string, (n: number) => ScalingOptions> = {
  normsys: (n) => ({ channels: 1, bins: 10, normsys: n }),
  histosys: (n) => ({ channels: 1, bins: 10, histosys: n }),
  normfactor: (n) => ({ channels: n, bins: 2, channelNorms: true }),
  staterror: (n) => ({ channels: Math.max(1, Math.round(n / 10)), bins: 10, staterror: true, normsys: 3 }),
  shapesys: (n) => ({ channels: Math.max(1, Math.round(n / 10)), bins: 10, shapesys: true, normsys: 3 }),
  'staterror+shapesys': (n) => ({ channels: Math.max(1, Math.round(n / 20)), bins: 10, staterror: true, shapesys: true, normsys: 3 }),
  shapefactor: (n) => ({ channels: Math.max(1, Math.round(n / 20)), bins: 10, shapefactor: true, staterror: true }),
  channels: (n) => ({ channels: n, bins: 5, normsys: 5, histosys: 3 }),
  bins: (n) => ({ channels: 1, bins: n, normsys: 5, histosys: 3, staterror: true }),
};

/** `--name=value` (bench/run.ts takes every other bare word for a group name) */
function flag(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`${name}=`));
  return a?.slice(name.length + 1);
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, (performance.now() - t) / 1000];
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const sizes = flag('--sizes')?.split(',').map(Number)
    ?? (process.argv.includes('--large') ? [10, 100, 1000, 3000, 5000] : opts.quick ? [10, 100] : [10, 100, 300]);
  const axes = flag('--axes')?.split(',') ?? Object.keys(AXES);
  const budget = Number(flag('--budget') ?? 60);
  const out: Figure[] = [];
  for (const axis of axes) {
    const make = AXES[axis];
    if (!make) throw new Error(`model-size: unknown axis '${axis}' (axes: ${Object.keys(AXES).join(', ')})`);
    for (const n of sizes) {
      const model = buildModel(loadWorkspace(scalingWorkspace(make(n))));
      const shape = `${model.nPars} parameters, ${model.channels.length} channels, ${model.nMain} bins`;
      const name = `stats.model_size.${axis}.${n}`;
      const [r, tFit] = time(() => fit(model, { hesse: false }));
      out.push({ name: `${name}.fit`, value: tFit, unit: 's', note: `${shape}; converged ${r.converged}` });
      const [rh, tBoth] = time(() => fit(model));
      out.push({ name: `${name}.fit_hesse`, value: tBoth, unit: 's', note: `sigma(mu) ${rh.uncertainty[model.poiIndex]!.toPrecision(4)}` });
      const [, tHyp] = time(() => hypotestAt(hypotestContext(model), 1));
      out.push({ name: `${name}.hypotest`, value: tHyp, unit: 's' });
      let worst = Math.max(tBoth, tHyp);
      if (worst < budget / 4) {
        const [ul, tUl] = time(() => upperLimit(model));
        out.push({ name: `${name}.upper_limit`, value: tUl, unit: 's', note: `${ul.points.length} CLs evaluations` });
        worst = Math.max(worst, tUl);
      }
      if (!opts.json) console.error(`model-size: ${axis} ${n} (${shape}) fit ${tFit.toFixed(3)} s, fit+Hesse ${tBoth.toFixed(3)} s`);
      if (worst > budget) {
        out.push({ name: `stats.model_size.${axis}.stopped`, value: n, unit: 'size', note: `a step took ${worst.toFixed(0)} s (budget ${budget} s)` });
        break;
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const json = process.argv.includes('--json');
  for (const f of await run({ json, quick: process.argv.includes('--quick') })) {
    console.log(json ? JSON.stringify(f) : `${f.name.padEnd(50)} ${f.value.toPrecision(4).padStart(10)} ${f.unit}  ${f.note ?? ''}`);
  }
}

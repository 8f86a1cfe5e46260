// `flow fit WS.json [--measurement M] [--json]`: maximum-likelihood fit with Hesse uncertainties.
import { enableCompileCache } from 'node:module';
import { checkPoiValue, nameList, parseStatsArgs, namingFile, type StatsArgs } from './stats-args.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow fit WS.json [--measurement M] [--poi-value X] [--json] [--normsys-code code1|code4] [--histosys-code code0|code4p]
                   [--optimizer newton|minuit [--tolerance T]] [--minos P[,Q...]]

  Maximum-likelihood fit of a pyhf JSON workspace (default measurement: the first); with --poi-value
  the POI is fixed at X (pyhf's fixed_poi_fit).
  --optimizer minuit runs pyhf's minuit optimizer step by step (Migrad with numerical derivatives,
  then Hesse; --tolerance is iminuit's tol, default 1e-4 as in pyhf's validation references) instead of our exact-Hessian Newton:
  slower, for parity with pyhf/cabinetry down to Minuit's numerics.
  --minos P,Q: MINOS intervals of the listed parameters (where twice_nll rises by 1, the others
  re-fitted), beside Hesse's errors.
  Goodness of fit: the saturated-model test as cabinetry computes it (chi2, dof = bins minus the
  floating unconstrained parameters, p-value).
  --json prints {"bestfit": {par: value}, "uncertainty": {par: value}, "twice_nll": x,
                 "correlation": [[...]], "par_names": [...], "converged": bool, "message": "...",
                 "minos": {P: [down, up]}, "goodness_of_fit": {"chi2": x, "dof": n, "p_value": p, "saturated_twice_nll": x}}`;

export async function main(argv: string[]): Promise<number> {
  const args = parseStatsArgs('fit', argv, { poiValue: true, optimizer: true, options: { minos: { type: 'string' } } });
  if (args.help) { console.log(usage); return 0; }
  return namingFile(args.file, () => runFit(args));
}

async function runFit(args: StatsArgs): Promise<number> {
  // the stats modules load lazily, after turning on Node's compile cache: stripped TypeScript and
  // compiled code are reused across runs, which cuts the start-up of short commands about threefold
  enableCompileCache?.();
  const { fit } = await import('../stats/fit.ts');
  const { goodnessOfFitJson, minosJson } = await import('../stats/infer/fit-extras.ts');
  const { model } = await loadStatsModel(args);
  checkPoiValue('fit', args.file, model, args.poiValue);
  const r = fit(model, { poiValue: args.poiValue, optimizer: args.optimizer, minuitTolerance: args.minuitTolerance });
  const n = model.nPars;
  const minosNames = typeof args.own.minos === 'string' ? nameList(args.own.minos) : [];
  const minos = minosNames.length ? minosJson(model, r, minosNames, `flow fit ${args.file}: --minos`) : undefined;
  const atBound = (p: string, i: number, m: [number, number]) =>
    (r.bestfit[i]! + m[0] <= model.lower[i]! ? ' (down at the bound)' : '') + (r.bestfit[i]! + m[1] >= model.upper[i]! ? ' (up at the bound)' : '');
  const gof = goodnessOfFitJson(model, r);
  if (args.json) {
    const bestfit: Record<string, number> = {}, uncertainty: Record<string, number> = {};
    model.parNames.forEach((p, i) => { bestfit[p] = r.bestfit[i]!; uncertainty[p] = r.uncertainty[i]!; });
    const correlation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => r.correlation ? r.correlation[i * n + j]! : (i === j ? 1 : 0)));
    console.log(JSON.stringify({ bestfit, uncertainty, twice_nll: r.twiceNll, correlation, par_names: model.parNames, converged: r.converged, message: r.message, ...(minos ? { minos } : {}), goodness_of_fit: gof }));
  } else {
    const w = Math.max(9, ...model.parNames.map((p) => p.length));
    console.log(`measurement ${model.measurement}: ${n} parameters, ${model.nMain} bins; ${r.message}`);
    console.log(`${'parameter'.padEnd(w)}  ${'bestfit'.padStart(12)}  ${'uncertainty'.padStart(12)}${minos ? `  ${'minos'.padStart(22)}` : ''}`);
    model.parNames.forEach((p, i) => {
      const fixed = r.uncertainty[i] === 0 ? '  (fixed)' : '';
      const m = minos?.[p];
      const mText = minos ? `  ${(m ? `${m[0].toPrecision(4)} / +${m[1].toPrecision(4)}` : '').padStart(22)}` : '';
      console.log(`${p.padEnd(w)}  ${r.bestfit[i]!.toPrecision(6).padStart(12)}  ${r.uncertainty[i]!.toPrecision(4).padStart(12)}${mText}${fixed}${m ? atBound(p, i, m) : ''}`);
    });
    console.log(`twice_nll = ${r.twiceNll.toFixed(6)}`);
    console.log(`goodness of fit (saturated model): chi2 = ${gof.chi2.toFixed(4)}, dof = ${gof.dof}, p-value = ${Number.isNaN(gof.p_value) ? 'n/a (dof <= 0)' : gof.p_value.toPrecision(4)}`);
  }
  if (!r.converged) console.error(`flow fit: warning: the fit did not converge: ${r.message}`);
  return 0;
}

// Statistics figures: fit, hypotest and upper-limit time per pyhf reference case against the pyhf
// timings stored with the references, and a generated 200-channel x 20-bin model fit.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/stats/fit.ts';
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { buildModel } from '../src/stats/model.ts';
import { syntheticWorkspace } from '../src/stats/synthetic.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

interface Figure { name: string; value: number; unit: string; note?: string }

const refDir = fileURLToPath(new URL('../../shared/refs/pyhf/', import.meta.url));

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, (performance.now() - t) / 1000];
}

function bestOf<T>(reps: number, fn: () => T): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) best = Math.min(best, time(fn)[1]);
  return best;
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const out: Figure[] = [];
  const files = existsSync(refDir) ? readdirSync(refDir).filter((f) => f.endsWith('.json')).sort() : [];
  const speedups: number[] = [], minuitSpeedups: number[] = [];
  for (const file of files) {
    const c = JSON.parse(readFileSync(refDir + file, 'utf8'));
    const ref = c.reference?.timing_seconds ?? {};
    const model = buildModel(loadWorkspace(c.workspace), c.measurement);
    const name = file.replace(/\.json$/, '');
    const tFit = bestOf(opts.quick ? 1 : 3, () => fit(model));
    out.push({ name: `stats.fit.${name}`, value: tFit, unit: 's', note: ref.mle_fit ? `pyhf ${ref.mle_fit.toPrecision(3)} s, ${(ref.mle_fit / tFit).toFixed(1)}x` : undefined });
    if (ref.mle_fit) speedups.push(ref.mle_fit / tFit);
    // the same algorithm as pyhf's (--optimizer minuit): the speed-up is the evaluation cost alone
    const tMinuit = bestOf(opts.quick ? 1 : 3, () => fit(model, { optimizer: 'minuit', minuitTolerance: 1e-4 }));
    out.push({ name: `stats.fit_minuit.${name}`, value: tMinuit, unit: 's', note: ref.mle_fit ? `pyhf ${ref.mle_fit.toPrecision(3)} s, ${(ref.mle_fit / tMinuit).toFixed(1)}x` : undefined });
    if (ref.mle_fit) minuitSpeedups.push(ref.mle_fit / tMinuit);
    const tHyp = bestOf(opts.quick ? 1 : 3, () => hypotestAt(hypotestContext(model), 1));
    out.push({ name: `stats.hypotest.${name}`, value: tHyp, unit: 's', note: ref.hypotest_mu1 ? `pyhf ${ref.hypotest_mu1.toPrecision(3)} s, ${(ref.hypotest_mu1 / tHyp).toFixed(1)}x` : undefined });
    if (!opts.quick || model.nPars < 40) {
      const [ul, tUl] = time(() => upperLimit(model));
      out.push({ name: `stats.upper_limit.${name}`, value: tUl, unit: 's', note: `${ul.points.length} CLs evaluations${ref.upper_limit ? `; pyhf ${ref.upper_limit.toPrecision(3)} s, ${(ref.upper_limit / tUl).toFixed(1)}x` : ''}` });
    }
  }
  if (speedups.length) {
    speedups.sort((a, b) => a - b);
    out.push({ name: 'stats.fit.median_speedup_vs_pyhf', value: speedups[Math.floor(speedups.length / 2)]!, unit: 'x', note: `min ${speedups[0]!.toFixed(1)}x over ${speedups.length} cases (in-process, pyhf timings from the refs)` });
    minuitSpeedups.sort((a, b) => a - b);
    out.push({ name: 'stats.fit_minuit.median_speedup_vs_pyhf', value: minuitSpeedups[Math.floor(minuitSpeedups.length / 2)]!, unit: 'x', note: `min ${minuitSpeedups[0]!.toFixed(1)}x; --optimizer minuit, pyhf's algorithm (tolerance 1e-4)` });
  }
  const big = buildModel(loadWorkspace(syntheticWorkspace({ channels: 200, bins: 20 })));
  const [r, tBig] = time(() => fit(big));
  out.push({ name: 'stats.fit.synthetic_200ch_x_20bins', value: tBig, unit: 's', note: `${big.nPars} parameters, ${big.nMain} bins, with Hesse; converged ${r.converged}` });
  if (!opts.quick) {
    // per-bin staterror: ~4000 parameters, an arrow-shaped Hessian (src/stats/arrow.ts)
    const bigStat = buildModel(loadWorkspace(syntheticWorkspace({ channels: 200, bins: 20, staterror: true })));
    const [rs, tStat] = time(() => fit(bigStat));
    out.push({ name: 'stats.fit.synthetic_200ch_x_20bins_staterror', value: tStat, unit: 's', note: `${bigStat.nPars} parameters, with Hesse and the full ${bigStat.nPars}² covariance; converged ${rs.converged} (dense algebra: minutes)` });
  }
  // whole-process time of `flow fit` (what check_pyhf_refs.py measures): dominated by Node start-up,
  // TypeScript stripping and zod, not by the fit
  const small = files.find((f) => f.startsWith('validation_1bin_lumi'));
  if (small) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
    try {
      const ws = join(dir, 'ws.json');
      writeFileSync(ws, JSON.stringify(JSON.parse(readFileSync(refDir + small, 'utf8')).workspace));
      const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
      const tProc = bestOf(opts.quick ? 1 : 3, () => execFileSync(process.execPath, [cli, 'fit', ws, '--json']));
      out.push({ name: 'stats.cli.fit_process_validation_1bin_lumi', value: tProc, unit: 's', note: 'whole `node cli.ts fit --json` process' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // the workspace-builder and toolbox figures (scans, ranking, toys: their own modules) belong to this group
  for (const name of ['./stats-build.ts', './stats-toolbox.ts']) {
    const bench = new URL(name, import.meta.url);
    if (!existsSync(fileURLToPath(bench))) continue;
    const mod = (await import(bench.href)) as { run(o: { json: boolean; quick: boolean }): Promise<Figure[]> };
    out.push(...(await mod.run({ ...opts, json: true })));
  }
  return out;
}

// bench/run.ts prints the figures of every group; this prints them when the file is run alone
if (import.meta.main) {
  const json = process.argv.includes('--json');
  for (const f of await run({ json, quick: process.argv.includes('--quick') })) {
    console.log(json ? JSON.stringify(f) : `${f.name.padEnd(60)} ${f.value.toPrecision(4).padStart(10)} ${f.unit}  ${f.note ?? ''}`);
  }
}

// ranking: impacts of every floating parameter on the POI (cabinetry's fit.ranking) from a Workspace:
// four fits per parameter (held at best fit +- pre-fit and +- post-fit uncertainty), run on the
// worker pool (ctx.parallel) and kept in the cache, so an interrupted ranking resumes. Output
// ranking.json as `flow ranking --json` prints it, and the figure ranking.svg (pulls and impacts of
// the top N).
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { experimentOf, experimentParams } from '../src/report/experiment.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import { pyhfWorkspace, type WorkspaceArtifact } from '../src/report/artifacts.ts';
import type { ModelRef } from '../src/stats/model-cache.ts';
import type { RankingJson } from '../src/stats/infer/ranking.ts';

export const params = strictParams({
  ...experimentParams,
  /** Measurement of the workspace to use (default: its first). */
  measurement: z.string().optional(),
  /** parameters in the figure */
  top: z.int().min(1).default(20),
  /** File under --out for the impacts; false: none. */
  output: z.union([z.string(), z.literal(false)]).default('ranking.json'),
  /** Ranking figure under --out; false: none. */
  figure: z.union([z.string(), z.literal(false)]).default('ranking.svg'),
});
type Params = z.infer<typeof params>;

export interface RankingArtifact extends RankingJson { measurement: string; svg?: string }

interface ImpactItem extends ModelRef { index: number; value: number; nominalPoi: number }

async function impactTask(item: ImpactItem): Promise<number> {
  const [{ modelOf }, { impactShift }] = await Promise.all([import('../src/stats/model-cache.ts'), import('../src/stats/infer/ranking.ts')]);
  return impactShift(modelOf(item), item.index, item.value, item.nominalPoi);
}

export default defineNodeKind({
  kind: 'ranking',
  level: 'global',
  version: '2',
  description: 'impacts of the nuisance parameters on the POI (parallel, resumable), with the ranking figure',
  params,
  inputs: ['Workspace'],
  output: 'Json',
  tasks: { impact: impactTask },
  async run(inputs: [WorkspaceArtifact], p: Params, ctx: NodeContext): Promise<RankingArtifact> {
    const where = `ranking node '${ctx.node}'`;
    const [{ modelOf, modelRef }, ranking, { fit }, { loadWorkspace }] = await Promise.all([
      import('../src/stats/model-cache.ts'), import('../src/stats/infer/ranking.ts'), import('../src/stats/fit.ts'), import('../src/stats/workspace.ts'),
    ]);
    const ref = modelRef(loadWorkspace(pyhfWorkspace(inputs[0]), where), p.measurement);
    const model = modelOf(ref);
    const saved = await ctx.memo(['nominal-fit'], () => {
      const r = fit(model);
      return { bestfit: Array.from(r.bestfit), uncertainty: Array.from(r.uncertainty) };
    });
    const nominal = { bestfit: Float64Array.from(saved.bestfit), uncertainty: Float64Array.from(saved.uncertainty) };
    const plan = ranking.impactPlan(model, nominal);
    const fits = ranking.planFits(nominal, plan);
    const nominalPoi = nominal.bestfit[model.poiIndex]!;
    const items = fits.map((f): ImpactItem => ({ ...ref, index: f.index, value: f.value, nominalPoi }));
    const done = await ctx.parallel<ImpactItem, number>('impact', items, { memo: true });
    const shifts = new Array<number>(4 * plan.length).fill(NaN);
    fits.forEach((f, k) => { shifts[f.slot] = done[k]!; });
    const result = ranking.rankingJson(model, nominal, ranking.impactsFromShifts(model, nominal, plan, shifts));
    ctx.log(`${plan.length} parameters, ${fits.length} fits; largest post-fit impact: ${result.parameters[0]?.name ?? 'none'}`);
    const svg = p.figure === false ? undefined : await (await import('../src/plot/ranking.ts')).rankingPlot({ ...result, top: p.top, experiment: experimentOf(p).experiment });
    return { ...result, measurement: model.measurement, ...(svg ? { svg } : {}) };
  },
  async writeOutputs(value: RankingArtifact, p: Params, ctx: OutputContext) {
    const { svg, ...json } = value;
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(json, null, 1)}\n`);
    if (p.figure !== false && svg) await ctx.writeFile(p.figure, svg);
  },
});

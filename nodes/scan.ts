// scan: profile-likelihood scan of one or two parameters of a Workspace (cabinetry's fit.scan,
// Combine's MultiDimFit --algo grid). Every grid point is a fit with the scanned parameters fixed,
// run on the worker pool (ctx.parallel) and kept in the cache, so an interrupted scan resumes.
// Output (scan.json): {pars, twice_nll_min, bestfit, points: [[p, (q,) twice_nll - min], ...]} as
// `flow scan --json` prints it, and the figure scan.svg (1 and 2 sigma lines; 2D: contours).
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { experimentOf, experimentParams } from '../src/report/experiment.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import { pyhfWorkspace, type WorkspaceArtifact } from '../src/report/artifacts.ts';
import type { ModelRef } from '../src/stats/model-cache.ts';
import type { ScanResult } from '../src/stats/infer/scan.ts';

export const params = strictParams({
  ...experimentParams,
  /** Measurement of the workspace to use (default: its first). */
  measurement: z.string().optional(),
  /** one or two parameters (pyhf names, `name[i]` for vector parameters) */
  pars: z.array(z.string()).min(1).max(2),
  /** grid points per parameter, ends included */
  points: z.int().min(1).max(10_000).default(21),
  /** [lo, hi] per parameter (default: the parameter's bounds) */
  ranges: z.array(z.tuple([z.number(), z.number()])).optional(),
  /** File under --out for the scan points; false: none. */
  output: z.union([z.string(), z.literal(false)]).default('scan.json'),
  /** Figure of the scan under --out; false: none. */
  figure: z.union([z.string(), z.literal(false)]).default('scan.svg'),
});
type Params = z.infer<typeof params>;

export interface ScanArtifact extends ScanResult { measurement: string; svg?: string }

interface PointItem extends ModelRef { indices: number[]; values: number[] }

async function pointTask(item: PointItem): Promise<number> {
  const [{ modelOf }, { scanPoint }] = await Promise.all([import('../src/stats/model-cache.ts'), import('../src/stats/infer/scan.ts')]);
  return scanPoint(modelOf(item), item.indices, item.values);
}

export default defineNodeKind({
  kind: 'scan',
  level: 'global',
  version: '2',
  description: 'profile-likelihood scan of one or two parameters (parallel, resumable), with its figure',
  params,
  inputs: ['Workspace'],
  output: 'Json',
  tasks: { point: pointTask },
  async run(inputs: [WorkspaceArtifact], p: Params, ctx: NodeContext): Promise<ScanArtifact> {
    const where = `scan node '${ctx.node}'`;
    const [{ modelOf, modelRef }, { scanGrid, scanResult }, { fit }, { loadWorkspace }, { UserError }] = await Promise.all([
      import('../src/stats/model-cache.ts'), import('../src/stats/infer/scan.ts'), import('../src/stats/fit.ts'),
      import('../src/stats/workspace.ts'), import('../src/errors.ts'),
    ]);
    if (p.ranges && p.ranges.length !== p.pars.length) throw new UserError(`${where}: ranges must give one [lo, hi] per parameter (${p.pars.length}), got ${p.ranges.length}`);
    const ref = modelRef(loadWorkspace(pyhfWorkspace(inputs[0]), where), p.measurement);
    const model = modelOf(ref);
    const grid = scanGrid(model, { pars: p.pars, points: p.points, ranges: p.ranges }, where);
    const free = await ctx.memo(['free-fit'], () => {
      const r = fit(model, { hesse: false });
      return { twiceNll: r.twiceNll, bestfit: grid.indices.map((i) => r.bestfit[i]!) };
    });
    const items: PointItem[] = grid.points.map((values) => ({ ...ref, indices: grid.indices, values }));
    const nll = await ctx.parallel<PointItem, number>('point', items, { memo: true });
    const result = scanResult(grid, free.twiceNll, free.bestfit, nll);
    ctx.log(`${p.pars.join(', ')}: ${grid.points.length} points, twice_nll_min ${free.twiceNll.toFixed(4)}`);
    const svg = p.figure === false ? undefined : await (await import('../src/plot/scan.ts')).scanPlot({ ...result, experiment: experimentOf(p).experiment });
    return { ...result, measurement: model.measurement, ...(svg ? { svg } : {}) };
  },
  async writeOutputs(value: ScanArtifact, p: Params, ctx: OutputContext) {
    const { svg, ...json } = value;
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(json, null, 1)}\n`);
    if (p.figure !== false && svg) await ctx.writeFile(p.figure, svg);
  },
});

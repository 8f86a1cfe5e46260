// fit: maximum-likelihood fit of a Workspace (pyhf semantics, Hesse uncertainties) -> FitResult with
// the `flow fit --json` keys plus pulls and pre/post-fit yields per channel/sample/bin; fit.json.
import { z } from 'zod';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import type { FitResultArtifact, WorkspaceArtifact } from '../src/report/artifacts.ts';

const params = z.strictObject({
  /** measurement of the workspace (default: the first) */
  measurement: z.string().optional(),
  /** parameter -> value held constant (pyhf names, `name[i]` for vector parameters) */
  fixed: z.record(z.string(), z.number()).optional(),
  /** parameter -> starting value */
  init: z.record(z.string(), z.number()).optional(),
  /** parameter -> [lower, upper] */
  bounds: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  /** output file under --out (false: none) */
  output: z.union([z.string(), z.literal(false)]).default('fit.json'),
});
type Params = z.infer<typeof params>;

export default defineNodeKind({
  kind: 'fit',
  level: 'global',
  version: '1',
  description: 'maximum-likelihood fit (Hesse errors, correlations, pulls, pre/post-fit yields)',
  params,
  inputs: ['Workspace'],
  output: 'FitResult',
  async run(inputs: [WorkspaceArtifact], p: Params, ctx: NodeContext): Promise<FitResultArtifact> {
    // the fitter loads only when a fit runs (a cached run validates this kind but never fits)
    const { fitWorkspace } = await import('../src/report/fit-result.ts');
    const r = fitWorkspace(inputs[0], p, `fit node '${ctx.node}'`);
    const poi = `${r.poi} = ${r.bestfit[r.poi]!.toPrecision(4)} ± ${r.uncertainty[r.poi]!.toPrecision(3)}`;
    if (r.converged) ctx.log(`${poi}; ${r.message}`);
    else ctx.warn(`the fit did not converge (${r.message}); ${poi}`);
    return r;
  },
  async writeOutputs(value: FitResultArtifact, p: Params, ctx: OutputContext) {
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(value, null, 1)}\n`);
  },
});

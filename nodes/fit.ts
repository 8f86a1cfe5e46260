// fit: maximum-likelihood fit of a Workspace (pyhf semantics, Hesse uncertainties) -> FitResult with
// the `flow fit --json` keys plus pulls and pre/post-fit yields per channel/sample/bin; fit.json.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type Codec, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import type { FitResultArtifact, WorkspaceArtifact } from '../src/report/artifacts.ts';

export const params = strictParams({
  /** measurement of the workspace (default: the first) */
  measurement: z.string().optional(),
  /** parameter -> value held constant (pyhf names, `name[i]` for vector parameters) */
  fixed: z.record(z.string(), z.number()).optional(),
  /** parameter -> starting value */
  init: z.record(z.string(), z.number()).optional(),
  /** parameter -> [lower, upper] */
  bounds: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  /** 'newton' (default, exact Hessian) or 'minuit' (pyhf's minuit optimizer step by step: Migrad with
   *  numerical derivatives, then Hesse; slower, for parity with pyhf/cabinetry) */
  optimizer: z.enum(['newton', 'minuit']).default('newton'),
  /** parameters whose MINOS intervals (twice_nll + 1, others re-fitted) go beside Hesse's errors */
  minos: z.array(z.string()).optional(),
  /** output file under --out (false: none) */
  output: z.union([z.string(), z.literal(false)]).default('fit.json'),
  /** folder of the pre/post-fit yield tables (cabinetry's tabulate.yields: per bin and per channel,
   *  as .md, .csv and .tex) under --out (false: none) */
  tables: z.union([z.string(), z.literal(false)]).default('yields'),
});
type Params = z.infer<typeof params>;

/** The correlation matrix (n^2 numbers) goes to a binary payload, not into the cache index. */
export const fitResultCodec: Codec<FitResultArtifact> = {
  encode(value) {
    const n = value.par_names.length;
    const m = new Float64Array(n * n);
    value.correlation.forEach((row, i) => m.set(row, i * n));
    return { meta: { ...value, correlation: null }, payloads: [new Uint8Array(m.buffer)] };
  },
  decode(meta, payloads) {
    const v = meta as FitResultArtifact;
    const n = v.par_names.length;
    const bytes = payloads[0]!;
    const m = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { ...v, correlation: Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, (i + 1) * n))) };
  },
};

export default defineNodeKind({
  kind: 'fit',
  level: 'global',
  version: '4',
  description: 'maximum-likelihood fit (Hesse errors, correlations, pulls, pre/post-fit yields)',
  params,
  inputs: ['Workspace'],
  output: 'FitResult',
  codec: fitResultCodec,
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
    // indented for reading, unless the correlation matrix makes that pointless
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(value, null, value.par_names.length <= 100 ? 1 : undefined)}\n`);
    if (p.tables !== false) {
      const t = await import('../src/report/yield-tables.ts');
      for (const pred of [value.prefit, value.postfit]) {
        const tables = t.yieldTables(pred);
        for (const [kind, table] of [['bins', tables.bins], ['channels', tables.channels]] as const) {
          const base = `${p.tables}/${pred.label.replace('-', '')}_${kind}`;
          await ctx.writeFile(`${base}.md`, t.toMarkdown(table));
          await ctx.writeFile(`${base}.csv`, t.toCsv(table));
          await ctx.writeFile(`${base}.tex`, t.toLatex(table));
        }
      }
    }
  },
});

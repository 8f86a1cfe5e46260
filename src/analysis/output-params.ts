// The `output` params of fill/merge (kept apart from the writer so node modules load fast).
import { z } from 'zod';
import { strictParams } from '../engine/strict-params.ts';

export const outputParams = strictParams({
  root: z.string().optional(),
  json: z.string().optional(),
  /** the select node's cutflow per sample ({sample__variation: {all, cut1, ...}}, summed over chunks) as JSON */
  cutflow: z.string().optional(),
  /** the AGC's `h[110j::hist.rebin(2)]` on the numeric axis before writing */
  rebinFrom: strictParams({ axis: z.string(), lo: z.number(), factor: z.number().int().positive() }).optional(),
  /** extra histograms as weighted sums of written ones: name -> [{name, factor}] */
  sums: z.record(z.string(), z.array(strictParams({ name: z.string(), factor: z.number().default(1) }))).default({}),
});
export type OutputParams = z.infer<typeof outputParams>;

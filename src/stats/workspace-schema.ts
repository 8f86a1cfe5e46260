// pyhf JSON workspace (schema 1.0.0) as a zod schema. Kept apart from workspace.ts so that loading
// a valid workspace never loads zod (~85 ms of a `flow fit`): workspace-shape.ts accepts exactly
// what this schema accepts, and the schema is only required to word the error of one that fails.
import { z } from 'zod';

// As strict as pyhf's own JSON schema (schemas/1.0.0/defs.json): every object refuses keys it does
// not define (so a typo such as `bound` for `bounds` is an error, not an ignored setting), arrays of
// numbers have at least one element, `version` is required, and the lumi modifier is named `lumi`.
// Only the `data` objects of histosys and normsys allow extra keys, as in pyhf.
const num = z.number();
const nums = z.array(num).min(1);

const normfactor = z.strictObject({ name: z.string(), type: z.literal('normfactor'), data: z.null() });
const shapefactor = z.strictObject({ name: z.string(), type: z.literal('shapefactor'), data: z.null() });
const lumi = z.strictObject({ name: z.literal('lumi'), type: z.literal('lumi'), data: z.null() });
const normsys = z.strictObject({ name: z.string(), type: z.literal('normsys'), data: z.looseObject({ hi: num, lo: num }) });
const histosys = z.strictObject({
  name: z.string(),
  type: z.literal('histosys'),
  data: z.looseObject({ hi_data: nums, lo_data: nums }),
});
const staterror = z.strictObject({ name: z.string(), type: z.literal('staterror'), data: nums });
const shapesys = z.strictObject({ name: z.string(), type: z.literal('shapesys'), data: nums });

export const modifierSchema = z.discriminatedUnion('type', [
  normfactor, shapefactor, lumi, normsys, histosys, staterror, shapesys,
]);
export const sampleSchema = z.strictObject({ name: z.string(), data: nums, modifiers: z.array(modifierSchema) });
export const channelSchema = z.strictObject({ name: z.string(), samples: z.array(sampleSchema).min(1) });
export const observationSchema = z.strictObject({ name: z.string(), data: nums });
export const parameterConfigSchema = z.strictObject({
  name: z.string(),
  inits: nums.optional(),
  bounds: z.array(z.tuple([num, num])).min(1).optional(),
  fixed: z.boolean().optional(),
  auxdata: nums.optional(),
  sigmas: nums.optional(),
  factors: nums.optional(),
});
export const measurementSchema = z.strictObject({
  name: z.string(),
  config: z.strictObject({ poi: z.string(), parameters: z.array(parameterConfigSchema) }),
});
export const workspaceSchema = z.strictObject({
  version: z.literal('1.0.0'),
  channels: z.array(channelSchema).min(1),
  observations: z.array(observationSchema),
  measurements: z.array(measurementSchema).min(1),
});

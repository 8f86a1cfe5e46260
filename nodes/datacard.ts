// datacard: CMS Combine datacards from Histograms the way PocketCoffea's stat toolkit writes them —
// per category a card and its shapes file, the combine script, and the combined model as a pyhf
// workspace (src/stats/build writeCombineOutputs). The files are built in `run` (so they are
// cached) and written under --out/<dir>/.
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { blobJsonCodec } from '../src/report/blob-codec.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import { UserError } from '../src/errors.ts';
import type { HistogramsArtifact } from '../src/hist/index.ts';
import { combineSpecSchema, validateCombineSpec, writeCombineOutputs, type CombineHistogramQuery } from '../src/stats/build/datacard-combine-outputs.ts';
import { explainMissing, namedTemplates, templateSelection } from '../src/report/template-source.ts';

const OWN_KEYS = ['histograms', 'axes', 'sums', 'names', 'variations', 'dir', 'shapesFormat'] as const;

// one strictParams over all the keys: its unknown-key message lists them all (extend() would drop it)
export const params = strictParams({
  ...combineSpecSchema.shape,
  ...templateSelection.shape,
  /** histogram names with {category} {sample} {year} {variation}; default cabinetry's names (no year) */
  names: strictParams({ nominal: z.string().default('{category}_{sample}'), variation: z.string().default('{category}_{sample}_{variation}') })
    .default({ nominal: '{category}_{sample}', variation: '{category}_{sample}_{variation}' }),
  /** variation Combine asks for ('{nuisance}Up'/'Down') -> variation name in the histograms */
  variations: z.record(z.string(), z.string()).default({}),
  /** folder under --out (a relative path; no '..', no hidden or absolute parts) */
  dir: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*(\/[A-Za-z0-9_][A-Za-z0-9_.+-]*)*$/, { error: 'must be a relative folder of letters, digits and _ . + - parts (it is created under --out)' }).default('datacards'),
  shapesFormat: z.enum(['root', 'json']).default('root'),
}).superRefine((p, ctx) => {
  if (p.years.length > 1 && !p.names.nominal.includes('{year}')) {
    // every year would read the same histograms (and data would be counted once per year)
    ctx.addIssue({ code: 'custom', path: ['names', 'nominal'], message: `${p.years.length} years need {year} in the histogram names` });
  }
  try {
    validateCombineSpec(combineSpec(p), 'datacard spec');
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message.replace(/^datacard spec: /, '') });
  }
});
type Params = z.infer<typeof params>;

/** The Combine spec part of the params (without this node's own options). */
function combineSpec(p: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...p };
  for (const k of OWN_KEYS) delete spec[k];
  return spec;
}

export interface DatacardsArtifact {
  /** file name -> content (cards, shapes files, combine script, workspace_<label>.json) */
  files: Record<string, string | Uint8Array>;
  cards: Array<{ category: string; bin: string; file: string }>;
  notices: string[];
  conversionNotes: string[];
}

export function histogramName(p: Params): (q: CombineHistogramQuery) => string {
  return (q) => {
    const variation = p.variations[q.variation] ?? q.variation;
    const template = q.variation === 'nominal' ? p.names.nominal : p.names.variation;
    return template.replaceAll('{category}', q.category).replaceAll('{sample}', q.sample).replaceAll('{year}', q.year).replaceAll('{variation}', variation);
  };
}

export default defineNodeKind({
  kind: 'datacard',
  level: 'global',
  version: '2',
  description: 'CMS Combine datacards, shapes files and combine script (PocketCoffea conventions)',
  params,
  inputs: ['Histograms'],
  output: 'Datacards',
  codec: blobJsonCodec<DatacardsArtifact>(),
  async run(inputs: [HistogramsArtifact], p: Params, ctx: NodeContext): Promise<DatacardsArtifact> {
    const templates = await namedTemplates(inputs[0], p);
    const dir = await mkdtemp(join(tmpdir(), 'hepflow-datacards-'));
    try {
      let out;
      try {
        out = await writeCombineOutputs(dir, combineSpec(p) as never, templates, { histogramName: histogramName(p), shapesFormat: p.shapesFormat });
      } catch (err) {
        throw explainMissing(err, `datacard node '${ctx.node}'`, templates.keys());
      }
      const files: DatacardsArtifact['files'] = {};
      for (const name of (await readdir(dir)).sort()) {
        const bytes = new Uint8Array(await readFile(join(dir, name)));
        files[name] = /\.(txt|sh|json)$/.test(name) ? new TextDecoder().decode(bytes) : bytes;
      }
      for (const n of out.notices) ctx.warn(n);
      ctx.log(`${out.cards.length} datacard(s): ${out.cards.map((c) => c.bin).join(', ')}`);
      return {
        files,
        cards: out.cards.map((c) => ({ category: c.category, bin: c.bin, file: `datacard_${c.category}_${p.label}.txt` })),
        notices: out.notices,
        conversionNotes: out.conversionNotes,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  async writeOutputs(value: DatacardsArtifact, p: Params, ctx: OutputContext) {
    for (const [name, content] of Object.entries(value.files)) {
      await ctx.writeFile(`${p.dir}/${name}`, content);
      if (name.endsWith('.sh')) await chmod(join(ctx.outDir, p.dir, name), 0o755);
    }
  },
});

// templates: the systematic-template figures of a Workspace as cabinetry's visualize.templates
// draws them (per region, sample and systematic with a histosys: nominal, up and down, and their
// ratios to nominal) and the modifier grid (visualize.modifier_grid). Figures are rendered on the
// worker pool (ctx.parallel) and each one is kept in the cache. Writes
// `templates/{region}_{sample}_{systematic}.svg` (spaces as '-', as cabinetry names them),
// `modifier_grid.svg`, and `templates.json` (the numbers drawn).
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import type { WorkspaceArtifact } from '../src/report/artifacts.ts';
import type { SystematicTemplate, ModifierGrid } from '../src/report/systematic-templates.ts';

export const params = strictParams({
  measurement: z.string().optional(),
  /** only these regions / samples / systematics (default: all) */
  regions: z.array(z.string()).min(1).optional(),
  samples: z.array(z.string()).min(1).optional(),
  systematics: z.array(z.string()).min(1).optional(),
  /** folder of the template figures; false: none */
  dir: z.union([z.string(), z.literal(false)]).default('templates'),
  modifierGrid: z.union([z.string(), z.literal(false)]).default('modifier_grid.svg'),
  output: z.union([z.string(), z.literal(false)]).default('templates.json'),
});
type Params = z.infer<typeof params>;

export interface TemplatesArtifact {
  templates: Array<SystematicTemplate & { file: string; svg?: string }>;
  modifier_grid: ModifierGrid & { svg?: string };
}

async function figureTask(t: SystematicTemplate): Promise<string> {
  return (await import('../src/plot/templates.ts')).templatesPlot(t);
}

const pick = (only: string[] | undefined, name: string) => !only || only.includes(name);

export default defineNodeKind({
  kind: 'templates',
  level: 'global',
  version: '1',
  description: 'template figures (nominal with up/down per systematic and region) and the modifier grid',
  params,
  inputs: ['Workspace'],
  output: 'Json',
  tasks: { figure: figureTask },
  async run(inputs: [WorkspaceArtifact], p: Params, ctx: NodeContext): Promise<TemplatesArtifact> {
    const [{ systematicTemplates, modifierGrid, templateFileName }, { buildModel }, { loadWorkspace }, { pyhfWorkspace }] = await Promise.all([
      import('../src/report/systematic-templates.ts'), import('../src/stats/model.ts'), import('../src/stats/workspace.ts'), import('../src/report/artifacts.ts'),
    ]);
    const where = `templates node '${ctx.node}'`;
    const ws = loadWorkspace(pyhfWorkspace(inputs[0]), where);
    const model = buildModel(ws, p.measurement);
    const chosen = systematicTemplates(inputs[0]).filter((t) => pick(p.regions, t.channel) && pick(p.samples, t.sample) && pick(p.systematics, t.systematic));
    const svgs = p.dir === false ? [] : await ctx.parallel<SystematicTemplate, string>('figure', chosen, { memo: true });
    const grid = modifierGrid(ws, model.paramSets.map((s) => s.name));
    const gridSvg = p.modifierGrid === false ? undefined : await (await import('../src/plot/modifier-grid.ts')).modifierGridPlot(grid);
    ctx.log(`${chosen.length} template figures, modifier grid of ${grid.channels.length} channel(s) x ${grid.samples.length} samples x ${grid.parameters.length} parameters`);
    return {
      templates: chosen.map((t, k) => ({ ...t, file: `${templateFileName(t)}.svg`, ...(svgs[k] ? { svg: svgs[k] } : {}) })),
      modifier_grid: { ...grid, ...(gridSvg ? { svg: gridSvg } : {}) },
    };
  },
  async writeOutputs(value: TemplatesArtifact, p: Params, ctx: OutputContext) {
    const strip = <T extends { svg?: string }>({ svg: _svg, ...rest }: T) => rest;
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify({ templates: value.templates.map(strip), modifier_grid: strip(value.modifier_grid) }, null, 1)}\n`);
    if (p.dir !== false) for (const t of value.templates) if (t.svg) await ctx.writeFile(`${p.dir}/${t.file}`, t.svg);
    if (p.modifierGrid !== false && value.modifier_grid.svg) await ctx.writeFile(p.modifierGrid, value.modifier_grid.svg);
  },
});

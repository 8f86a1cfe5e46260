// What the template and modifier-grid figures show, from a workspace (so they work for built,
// converted and loaded workspaces alike): per channel, sample and template systematic the nominal
// and the up/down templates that enter the fit (histosys data times the normsys factor of the same
// name: cabinetry's post-processed templates), and per channel which modifier types act on which
// (sample, parameter), as cabinetry's model_utils._modifier_map and visualize.modifier_grid.
import type { Workspace } from '../stats/workspace.ts';
import type { WorkspaceArtifact } from './artifacts.ts';

export interface SystematicTemplate {
  channel: string; sample: string; systematic: string;
  /** bin edges when the workspace artifact carries them (else bin indices) */
  edges: number[]; xLabel?: string;
  nominal: number[]; up: number[]; down: number[];
}

/** Templates of every systematic with a histosys (normalisation-only systematics have none, as in cabinetry). */
export function systematicTemplates(ws: WorkspaceArtifact): SystematicTemplate[] {
  const out: SystematicTemplate[] = [];
  for (const ch of ws.channels) {
    const n = ch.samples[0]?.data.length ?? 0;
    const edges = ws.hepflow?.binning[ch.name] ?? Array.from({ length: n + 1 }, (_, i) => i);
    for (const s of ch.samples) {
      for (const h of s.modifiers) {
        if (h.type !== 'histosys') continue;
        const norm = s.modifiers.find((m) => m.type === 'normsys' && m.name === h.name) as { data: { hi: number; lo: number } } | undefined;
        const { hi_data, lo_data } = h.data as { hi_data: number[]; lo_data: number[] };
        out.push({
          channel: ch.name, sample: s.name, systematic: h.name, edges, xLabel: ws.hepflow?.xLabels[ch.name],
          nominal: s.data, up: hi_data.map((v) => v * (norm?.data.hi ?? 1)), down: lo_data.map((v) => v * (norm?.data.lo ?? 1)),
        });
      }
    }
  }
  return out;
}

/** cabinetry's figure name (`{region}_{sample}_{systematic}`, spaces as '-'), made safe as a file name. */
export function templateFileName(t: { channel: string; sample: string; systematic: string }): string {
  return `${t.channel}_${t.sample}_${t.systematic}`.replace(/ /g, '-').replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/** cabinetry's categories, in its order (the figure's colour index). */
export const MODIFIER_CATEGORIES = ['normfactor', 'shapefactor', 'shapesys', 'lumi', 'staterror', 'normsys + histosys', 'histosys', 'normsys', 'none'] as const;
export type ModifierCategory = typeof MODIFIER_CATEGORIES[number];

export interface ModifierGrid {
  channels: string[]; samples: string[]; parameters: string[];
  /** [channel][sample][parameter] */
  cells: ModifierCategory[][][];
}

/** The modifier map of a workspace: `parameters` in the model's (pyhf's) parameter order. */
export function modifierGrid(ws: Workspace, parameters: string[]): ModifierGrid {
  const channels = ws.channels.map((c) => c.name).sort();
  const samples = [...new Set(ws.channels.flatMap((c) => c.samples.map((s) => s.name)))].sort();
  const cells = channels.map((name) => {
    const ch = ws.channels.find((c) => c.name === name)!;
    return samples.map((sample) => {
      const mods = ch.samples.find((s) => s.name === sample)?.modifiers ?? [];
      return parameters.map((par): ModifierCategory => {
        const types = mods.filter((m) => m.name === par).map((m) => m.type as string);
        if (types.length === 0) return 'none';
        const key = [...types].sort().reverse().join(' + ');
        if (!(MODIFIER_CATEGORIES as readonly string[]).includes(key)) throw new Error(`modifier grid: channel ${name}, sample ${sample}, parameter ${par}: modifiers ${types.join(', ')} are not one of cabinetry's categories`);
        return key as ModifierCategory;
      });
    });
  });
  return { channels, samples, parameters, cells };
}

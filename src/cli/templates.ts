// `flow templates WS.json [--measurement M] [--region R]... [--sample S]... [--systematic Y]... [--json] [--out DIR]`:
// the systematic templates of a workspace (cabinetry's visualize.templates) and the modifier grid
// (visualize.modifier_grid), as the templates node draws them.
import { enableCompileCache } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { checkWritableDir } from './writable-dir.ts';
import { parseStatsArgs } from './stats-args.ts';
import { loadStatsModel } from './stats-model.ts';

const usage = `usage: flow templates WS.json [--measurement M] [--region R]... [--sample S]... [--systematic Y]... [--json] [--out DIR]

  The nominal template and its up/down variations of every systematic with a histosys (per region
  and sample; up = histosys hi_data x the normsys hi of the same name, as the fit sees it), and the
  modifier grid (which modifier types act on which sample and parameter, per region).
  Without --json: one line per template with the largest relative up/down shift.
  --json prints {"templates": [{"channel", "sample", "systematic", "edges", "nominal", "up", "down"}, ...],
                 "modifier_grid": {"channels", "samples", "parameters", "cells": [[[category, ...]]]}}
  --out DIR writes DIR/templates/{region}_{sample}_{systematic}.svg and DIR/modifier_grid.svg.`;

export async function main(argv: string[]): Promise<number> {
  const many = { type: 'string', multiple: true } as const;
  const args = parseStatsArgs('templates', argv, { options: { region: many, sample: many, systematic: many, out: { type: 'string' } } });
  if (args.help) { console.log(usage); return 0; }
  const own = args.own as unknown as { region?: string[]; sample?: string[]; systematic?: string[]; out?: string };
  if (own.out) checkWritableDir(own.out, 'flow templates --out');
  enableCompileCache?.();
  const { systematicTemplates, modifierGrid } = await import('../report/systematic-templates.ts');
  const { ws, model } = await loadStatsModel(args);
  const all = systematicTemplates(ws);
  for (const [key, names, have] of [['region', own.region, all.map((t) => t.channel)], ['sample', own.sample, all.map((t) => t.sample)], ['systematic', own.systematic, all.map((t) => t.systematic)]] as const) {
    const unknown = (names ?? []).filter((n) => !have.includes(n));
    if (unknown.length) throw new UserError(`flow templates: --${key} '${unknown[0]}' has no templates in ${args.file} (${[...new Set(have)].join(', ') || 'none'})`);
  }
  const chosen = all.filter((t) => (!own.region || own.region.includes(t.channel)) && (!own.sample || own.sample.includes(t.sample)) && (!own.systematic || own.systematic.includes(t.systematic)));
  const grid = modifierGrid(ws, model.paramSets.map((s) => s.name));
  if (own.out) {
    const [{ templatesPlot }, { modifierGridPlot }, { templateFileName }] = await Promise.all([
      import('../plot/templates.ts'), import('../plot/modifier-grid.ts'), import('../report/systematic-templates.ts'),
    ]);
    mkdirSync(join(own.out, 'templates'), { recursive: true });
    for (const t of chosen) writeFileSync(join(own.out, 'templates', `${templateFileName(t)}.svg`), await templatesPlot(t));
    writeFileSync(join(own.out, 'modifier_grid.svg'), await modifierGridPlot(grid));
  }
  if (args.json) { console.log(JSON.stringify({ templates: chosen, modifier_grid: grid })); return 0; }
  const shift = (v: number[], nom: number[]) => Math.max(0, ...v.map((x, i) => (nom[i] ? Math.abs(x / nom[i]! - 1) : 0)));
  const w = (k: 'channel' | 'sample' | 'systematic') => Math.max(k.length, ...chosen.map((t) => t[k].length));
  console.log(`${'region'.padEnd(w('channel'))}  ${'sample'.padEnd(w('sample'))}  ${'systematic'.padEnd(w('systematic'))}  max |up/nom - 1|  max |down/nom - 1|`);
  for (const t of chosen) {
    console.log(`${t.channel.padEnd(w('channel'))}  ${t.sample.padEnd(w('sample'))}  ${t.systematic.padEnd(w('systematic'))}  ${shift(t.up, t.nominal).toFixed(4).padStart(16)}  ${shift(t.down, t.nominal).toFixed(4).padStart(18)}`);
  }
  return 0;
}

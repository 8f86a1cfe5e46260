// Existing histogram files as templates: a ROOT file's top-level TH1s or histograms JSON (the AGC
// reference format `{name: {contents, edges[, variances]}}`), and those templates as a Histograms
// artifact (one 1D histogram per name, so the builders find them by their cabinetry names).
import { readTextInput } from '../../input-file.ts';
import { UserError } from '../../errors.ts';
import type { HistogramsArtifact } from '../../hist/artifact.ts';
import { readRootHistograms } from './root-histograms.ts';
import { inRange, similarNames, type TemplateHistogram } from './template-histograms.ts';

export interface ReadOptions { format?: 'auto' | 'root' | 'json'; names?: string[]; where?: string }

function readJsonHistograms(path: string, where: string): Map<string, TemplateHistogram> {
  let json: unknown;
  try {
    json = JSON.parse(readTextInput(path, 'histograms file'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${where}: ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`${where}: ${path}: expected an object of histograms {name: {contents, edges}}`);
  const out = new Map<string, TemplateHistogram>();
  for (const [name, h] of Object.entries(json as Record<string, { contents?: unknown; edges?: unknown; variances?: unknown }>)) {
    const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');
    if (!numbers(h?.contents) || !numbers(h?.edges) || (h.variances !== undefined && !numbers(h.variances))) {
      throw new UserError(`${where}: ${path}: "${name}": expected {contents: [numbers], edges: [numbers], variances?: [numbers]}`);
    }
    const values = h.contents as number[];
    out.set(name, inRange({ edges: h.edges as number[], values, variances: (h.variances as number[] | undefined) ?? values.map(Math.abs) }, () => `"${name}" in ${path}`));
  }
  return out;
}

/** Templates (in-range bins) by name from a ROOT or JSON histograms file. */
export async function readHistogramsFile(path: string, opts: ReadOptions = {}): Promise<Map<string, TemplateHistogram>> {
  const where = opts.where ?? 'histograms';
  const json = opts.format === 'json' || ((opts.format ?? 'auto') === 'auto' && /\.json$/i.test(path));
  let all: Map<string, TemplateHistogram>;
  try {
    all = json ? readJsonHistograms(path, where) : await readRootHistograms(path);
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(where)) throw new UserError(`${where}: ${e.message}`, { cause: e });
    throw e;
  }
  if (!opts.names) return all;
  const out = new Map<string, TemplateHistogram>();
  for (const name of opts.names) {
    const h = all.get(name);
    if (!h) {
      const similar = similarNames(all, name);
      throw new UserError(`${where}: no histogram "${name}" in ${path}${similar.length ? ` (similar: ${similar.join(', ')})` : ` (${all.size} histograms)`}`);
    }
    out.set(name, h);
  }
  return out;
}

/** One 1D histogram per template (flow bins empty), as fill/merge would hand them on. */
export function templatesArtifact(templates: Map<string, TemplateHistogram>, xLabel = ''): HistogramsArtifact {
  const hists: HistogramsArtifact['hists'] = {};
  for (const [name, t] of templates) {
    const n = t.edges.length - 1;
    const sumw = new Float64Array(n + 2), sumw2 = new Float64Array(n + 2);
    for (let i = 0; i < n; i++) { sumw[i + 1] = t.values[i]!; sumw2[i + 1] = t.variances[i]!; }
    hists[name] = { axes: [{ type: 'variable', name: 'observable', label: xLabel, edges: Array.from(t.edges) }], sumw, sumw2 };
  }
  return { kind: 'hepflow.histograms', hists, nevents: {}, cutflows: {} };
}

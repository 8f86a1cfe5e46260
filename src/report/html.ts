// report.html: one self-contained page with the run's key numbers (best-fit POI, CLs, limits),
// the post-fit yields table, every fitted parameter, the cutflow, the ranking, links to the JSON
// results and every figure inline (SVG, ids made unique per figure so clip paths of one figure
// never capture another's), with links to the SVG/PNG/PDF files next to it.
import type { FitResultArtifact, LimitResultArtifact } from './artifacts.ts';
import type { RankingResult } from './ranking-result.ts';
import { formatCell, yieldTables, type YieldTable } from './yield-tables.ts';

export interface ReportFigure {
  /** file stem under the figures folder, e.g. 'postfit_Signal_region' */
  name: string;
  title: string;
  section: string;
  svg: string;
}

export interface ReportSpec {
  title: string;
  /** lines under the title, e.g. 'ATLAS Open Data', '√s = 13 TeV, 10 fb⁻¹' */
  subtitle: string[];
  fit?: FitResultArtifact;
  limit?: LimitResultArtifact;
  ranking?: RankingResult;
  /** per sample: cut -> events after it (the select node's cutflow, summed over chunks) */
  cutflows?: Record<string, Record<string, number>>;
  /** per sample: events read */
  nevents?: Record<string, number>;
  figures: ReportFigure[];
  /** figures folder relative to report.html, for the file links */
  figuresDir: string;
  /** the files beside each SVG */
  formats: Array<'png' | 'pdf'>;
  /** result files relative to report.html, linked at the top (undefined: not linked) */
  files?: { workspace?: string; fit?: string; limit?: string; ranking?: string };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Prefix every id of an SVG (and the references to them) so several SVGs can share one page. */
export function uniqueSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid=")([^"]+)(")|(#)([A-Za-z_][\w.:-]*)/g, (all, a, id, c, hash, ref) => {
    if (id !== undefined) return ids.has(id) ? `${a}${prefix}${id}${c}` : all;
    return ids.has(ref) ? `${hash}${prefix}${ref}` : all;
  });
}

/** Numbers shown with as many digits as their uncertainty warrants (2 significant digits of it). */
export function formatMeasurement(value: number, error: number): string {
  if (!Number.isFinite(error) || error <= 0) return value.toPrecision(4);
  const digits = Math.max(0, 1 - Math.floor(Math.log10(error)));
  return `${value.toFixed(digits)} ± ${error.toFixed(digits)}`;
}

const num = (x: number, p = 4): string => (Number.isFinite(x) ? Number(x.toPrecision(p)).toString() : String(x));

function keyNumbers(fit: FitResultArtifact | undefined, limit: LimitResultArtifact | undefined): string {
  const cards: string[] = [];
  if (fit) {
    const poi = fit.poi;
    const m = fit.minos?.[poi];
    const gof = fit.goodness_of_fit;
    cards.push(card(`Best-fit ${poi}`, formatMeasurement(fit.bestfit[poi]!, fit.uncertainty[poi]!),
      `${fit.converged ? 'converged' : '<b class="bad">not converged</b>'} · −2 ln L = ${num(fit.twice_nll, 8)} · ${fit.par_names.length} parameters` +
      (m ? ` · MINOS ${num(m[0], 3)} / +${num(m[1], 3)}` : '') +
      (gof ? ` · goodness of fit (saturated): χ² = ${num(gof.chi2, 4)}, dof ${gof.dof}, p = ${typeof gof.p_value === 'number' && Number.isFinite(gof.p_value) ? num(gof.p_value, 3) : 'n/a (dof ≤ 0)'}` : '')));
  }
  if (limit) {
    const [m2, m1, med, p1, p2] = limit.upper_limit_exp.map((x) => num(x, 3));
    cards.push(card(`${Math.round(limit.cl * 100)}% CL upper limit on ${limit.poi}`, `${num(limit.upper_limit_obs, 3)} <small>observed</small>`,
      `expected ${med} <span class="band">[−1σ ${m1}, +1σ ${p1}] [−2σ ${m2}, +2σ ${p2}]</span>`));
    cards.push(card(`CLs at ${limit.poi} = ${num(limit.poi_value)}`, `${num(limit.cls_obs, 3)} <small>observed</small>`,
      `expected ${num(limit.cls_exp[2]!, 3)} · discovery Z = ${num(limit.significance_obs, 3)} obs, ${num(limit.significance_exp, 3)} exp`));
  }
  return cards.length ? `<section class="cards">${cards.join('')}</section>` : '';
}

function card(title: string, value: string, detail: string): string {
  return `<div class="card"><div class="card-title">${escapeHtml(title)}</div><div class="card-value">${value}</div><div class="card-detail">${detail}</div></div>`;
}

function yieldsTable(fit: FitResultArtifact): string {
  const rows = fit.postfit.channels.map((ch) => {
    const pre = fit.prefit.channels.find((c) => c.name === ch.name);
    const sampleRows = ch.samples.map((s) => {
      const preS = pre?.samples.find((x) => x.name === s.name);
      return `<tr><td class="indent">${escapeHtml(s.name)}${s.signal ? ' <span class="tag">signal</span>' : ''}</td><td>${preS ? formatMeasurement(preS.sum, preS.sumUncertainty) : ''}</td><td>${formatMeasurement(s.sum, s.sumUncertainty)}</td><td></td></tr>`;
    });
    const data = ch.data.reduce((a, b) => a + b, 0);
    return `<tr class="channel"><td>${escapeHtml(ch.name)}</td><td>${pre ? formatMeasurement(pre.sum, pre.sumUncertainty) : ''}</td><td>${formatMeasurement(ch.sum, ch.sumUncertainty)}</td><td>${num(data, 6)}</td></tr>${sampleRows.join('')}`;
  });
  return `<table class="yields"><thead><tr><th>Channel / sample</th><th>Pre-fit</th><th>Post-fit</th><th>Data</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A yield table (tabulate.yields layout) as HTML, folded: per-bin tables are wide. */
function yieldTableHtml(t: YieldTable): string {
  const head = `<tr><th>sample</th>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr><td>${escapeHtml(r.label)}</td>${r.cells.map((c) => `<td>${formatCell(c)}</td>`).join('')}</tr>`).join('');
  return `<details><summary>${escapeHtml(t.title)}</summary><div class="wide"><table class="yields">${head}${rows}</table></div></details>`;
}

function figureHtml(f: ReportFigure, i: number, spec: ReportSpec): string {
  const base = `${spec.figuresDir}/${f.name}`;
  const links = [`<a href="${escapeHtml(base)}.svg">SVG</a>`, ...spec.formats.map((f) => `<a href="${escapeHtml(base)}.${f}">${f.toUpperCase()}</a>`)].join(' · ');
  return `<figure id="${escapeHtml(f.name)}"><div class="svg">${uniqueSvgIds(f.svg, `f${i}-`)}</div><figcaption>${escapeHtml(f.title)} <span class="links">${links}</span></figcaption></figure>`;
}

/** Every fitted parameter: best fit ± Hesse error, its kind (from the pulls' modifier types), the pull. */
export function parameterTable(fit: FitResultArtifact): string {
  const pulls = new Map(fit.pulls.map((x) => [x.parameter, x]));
  const rows = fit.par_names.map((name) => {
    const v = fit.bestfit[name]!, e = fit.uncertainty[name]!;
    const pull = pulls.get(name);
    const kind = name === fit.poi ? 'POI' : !(e > 0) ? 'fixed' : pull ? pull.type : 'free';
    const m = fit.minos?.[name];
    return `<tr><td>${escapeHtml(name)}</td><td>${kind}</td><td>${e > 0 ? formatMeasurement(v, e) : num(v)}</td>` +
      `<td>${m ? `${num(m[0], 3)} / +${num(m[1], 3)}` : ''}</td><td>${pull ? `${pull.pull.toFixed(2)} ± ${pull.error.toFixed(2)}` : ''}</td></tr>`;
  });
  return `<details open><summary>${fit.par_names.length} parameters</summary><div class="wide"><table class="yields params"><thead><tr><th>parameter</th><th>kind</th><th>best fit ± error</th><th>MINOS</th><th>pull</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></details>`;
}

/** The cutflow: one column per sample, one row per cut, in the select node's order. */
export function cutflowTable(cutflows: Record<string, Record<string, number>>, nevents: Record<string, number> = {}): string {
  const samples = Object.keys(cutflows);
  if (!samples.length) return '';
  const cuts: string[] = [];
  for (const s of samples) for (const c of Object.keys(cutflows[s]!)) if (!cuts.includes(c)) cuts.push(c);
  const read = samples.some((s) => nevents[s] !== undefined);
  const head = `<tr><th>cut</th>${samples.map((s) => `<th>${escapeHtml(s)}</th>`).join('')}</tr>`;
  const row = (label: string, cell: (s: string) => number | undefined) =>
    `<tr><td>${escapeHtml(label)}</td>${samples.map((s) => { const v = cell(s); return `<td>${v === undefined ? '' : num(v, 8)}</td>`; }).join('')}</tr>`;
  const rows = [...(read ? [row('events read', (s) => nevents[s])] : []), ...cuts.map((c) => row(c, (s) => cutflows[s]![c]))];
  return `<div class="wide"><table class="yields cutflow"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The ranking: impacts on the POI, largest post-fit impact first (as the ranking node sorts them). */
export function rankingTable(r: RankingResult): string {
  const f = (x: number) => (x === 0 ? '0' : x.toPrecision(3));
  const rows = r.parameters.map((q) => `<tr><td>${escapeHtml(q.name)}</td><td>${q.pull === null ? '—' : q.pull.toFixed(2)}</td>` +
    `<td>${f(q.prefit_up)}</td><td>${f(q.prefit_down)}</td><td>${f(q.postfit_up)}</td><td>${f(q.postfit_down)}</td></tr>`);
  return `<p class="note">${escapeHtml(r.poi)} = ${formatMeasurement(r.poi_bestfit, r.poi_uncertainty)}; Δ${escapeHtml(r.poi)} with each parameter held at its best fit ± its pre-fit / post-fit uncertainty.</p>` +
    `<div class="wide"><table class="yields ranking"><thead><tr><th>parameter</th><th>pull</th><th>pre-fit +</th><th>pre-fit −</th><th>post-fit +</th><th>post-fit −</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function filesLinks(files: NonNullable<ReportSpec['files']>): string {
  const links = (['workspace', 'fit', 'limit', 'ranking'] as const).filter((k) => files[k]).map((k) => `<a href="${escapeHtml(files[k]!)}">${escapeHtml(files[k]!)}</a>`);
  return links.length ? `<p class="files">Results: ${links.join(' · ')}</p>` : '';
}

export function reportHtml(spec: ReportSpec): string {
  const sections = new Map<string, string[]>();
  spec.figures.forEach((f, i) => (sections.get(f.section) ?? sections.set(f.section, []).get(f.section)!).push(figureHtml(f, i, spec)));
  const nav = [...sections.keys()].map((s) => `<a href="#${slug(s)}">${escapeHtml(s)}</a>`).join('');
  const body = [...sections].map(([s, figs]) => `<section id="${slug(s)}"><h2>${escapeHtml(s)}</h2><div class="grid">${figs.join('')}</div></section>`).join('\n');
  const fitSection = spec.fit ? `<section id="yields"><h2>Yields</h2>${yieldsTable(spec.fit)}${[spec.fit.prefit, spec.fit.postfit].map((p) => yieldTableHtml(yieldTables(p).bins)).join('')}<p class="note">Uncertainties: pre-fit from the constraint widths, post-fit from the fit's covariance (cabinetry's convention). Fit message: ${escapeHtml(spec.fit.message)}</p></section>` +
    `<section id="parameters"><h2>Parameters</h2>${parameterTable(spec.fit)}</section>` : '';
  const cutflow = spec.cutflows ? cutflowTable(spec.cutflows, spec.nevents) : '';
  const cutflowSection = cutflow ? `<section id="cutflow"><h2>Cutflow</h2>${cutflow}</section>` : '';
  const rankingSection = spec.ranking?.parameters.length ? `<section id="ranking"><h2>Ranking</h2>${rankingTable(spec.ranking)}</section>` : '';
  const navTables = [spec.fit ? '<a href="#yields">Yields</a><a href="#parameters">Parameters</a>' : '', cutflow ? '<a href="#cutflow">Cutflow</a>' : '', rankingSection ? '<a href="#ranking">Ranking</a>' : ''].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.title)}</title>
<style>
:root { --fg: #1d2433; --muted: #5b6477; --line: #e3e7ee; --accent: #2f5fb3; --bg: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; color: var(--fg); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px 12px; }
h1 { margin: 0 0 4px; font-size: 24px; }
.subtitle { color: var(--muted); margin: 0; }
nav { margin-top: 10px; display: flex; gap: 16px; flex-wrap: wrap; }
nav a, .links a { color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 40px; max-width: 1500px; }
h2 { font-size: 19px; margin: 28px 0 12px; }
.cards { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; min-width: 260px; flex: 1; }
.card-title { color: var(--muted); font-size: 13px; font-weight: 600; }
.card-value { font-size: 26px; font-weight: 600; margin: 4px 0; font-variant-numeric: tabular-nums; }
.card-value small { font-size: 13px; font-weight: 400; color: var(--muted); }
.card-detail { color: var(--muted); font-size: 13px; }
.band { white-space: nowrap; }
.bad { color: #c0392b; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
figure .svg svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; padding-top: 6px; display: flex; justify-content: space-between; }
table.yields { border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-variant-numeric: tabular-nums; }
.yields th, .yields td { padding: 5px 14px; border-bottom: 1px solid var(--line); text-align: right; }
.yields th:first-child, .yields td:first-child { text-align: left; }
.yields tr.channel td { font-weight: 600; background: #fafbfd; }
.yields td.indent { padding-left: 28px; }
.tag { font-size: 11px; color: #fff; background: var(--accent); border-radius: 3px; padding: 0 5px; }
.note { color: var(--muted); font-size: 13px; }
.files { margin: 8px 0 0; font-size: 14px; }
.files a { color: var(--accent); }
.wide { overflow-x: auto; }
</style></head>
<body>
<header><h1>${escapeHtml(spec.title)}</h1>${spec.subtitle.length ? `<p class="subtitle">${spec.subtitle.map(escapeHtml).join(' · ')}</p>` : ''}
<nav>${navTables}${nav}</nav>${spec.files ? filesLinks(spec.files) : ''}</header>
<main>
${keyNumbers(spec.fit, spec.limit)}
${fitSection}
${cutflowSection}
${rankingSection}
${body}
</main></body></html>
`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

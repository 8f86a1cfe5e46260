// Combine datacard -> pyhf workspace where the two models agree, with a note for every place
// where they do not (so the user knows which numbers to expect to differ from Combine).
//   lnN (kappa^theta)          -> normsys hi=kappa, lo=1/kappa (asymmetric: hi=up, lo=down)
//   shape (vertical morphing)  -> normsys from the yield ratios + histosys on templates normalised to nominal
//   gmN N                      -> shapesys with relative uncertainty 1/sqrt(N) (same Poisson constraint)
//   autoMCStats (BB-lite)      -> staterror from sqrt(sum w^2) of the templates
//   rateParam                  -> normfactor; signal (process id <= 0) gets the POI normfactor "r"
import { UserError } from '../../errors.ts';
import type { Datacard, DatacardColumn, DatacardEffect } from './datacard-model.ts';
import { shapeLocation } from './datacard-shapes.ts';
import type { DatacardShapeSource } from './datacard-shapes.ts';
import type { Channel, Modifier, ParameterConfig, Sample, Workspace } from './pyhf-types.ts';
import type { TemplateHistogram } from './template-histograms.ts';

export interface DatacardConversionOptions {
  /** name of the signal-strength normfactor and measurement POI (Combine: r) */
  poi?: string;
  /** POI bounds (Combine's default r range is [0, 20]) */
  poiBounds?: [number, number];
  measurementName?: string;
  /** value substituted for $MASS in shapes lines */
  mass?: string;
}

export interface DatacardConversion {
  workspace: Workspace;
  /** pyhf Model settings closest to Combine: lnN is exactly normsys code1 (exponential) */
  modifierSettings: { normsys: { interpcode: 'code1' }; histosys: { interpcode: 'code4p' } };
  /** where the pyhf model differs from Combine's */
  notes: string[];
}

interface ColumnTemplates { values: Float64Array; variances: Float64Array | null; scale: number }

function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

const globMatch = (pattern: string, name: string): boolean =>
  pattern === '*' || pattern === name ||
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`).test(name);

class Converter {
  readonly notes = new Set<string>();
  private readonly card: Datacard;
  private readonly shapes: DatacardShapeSource | undefined;
  private readonly opts: DatacardConversionOptions;

  constructor(card: Datacard, shapes: DatacardShapeSource | undefined, opts: DatacardConversionOptions) {
    this.card = card;
    this.shapes = shapes;
    this.opts = opts;
  }

  private histogram(channel: string, process: string, systematic?: string, optional = false): TemplateHistogram | undefined {
    const loc = shapeLocation(this.card, channel, process, systematic, this.opts.mass ?? '');
    if (loc === undefined) return undefined;
    if (this.shapes === undefined) {
      throw new UserError(`datacard channel "${channel}" process "${process}" uses shapes from ${loc.file}: pass the shapes (loadDatacardShapes)`);
    }
    const h = this.shapes(loc.file, loc.object);
    if (h === undefined && optional) return undefined;
    if (h === undefined) throw new UserError(`datacard shapes: missing histogram "${loc.object}" in ${loc.file} (channel "${channel}", process "${process}")`);
    return h;
  }

  /** Nominal template scaled so its integral is the card's rate (rate -1: the template's own). */
  nominal(column: DatacardColumn): ColumnTemplates {
    const h = this.histogram(column.bin, column.process);
    if (h === undefined) return { values: Float64Array.of(column.rate), variances: null, scale: 1 };
    const raw = total(h.values);
    const scale = column.rate === -1 ? 1 : raw === 0 ? 0 : column.rate / raw;
    return { values: Float64Array.from(h.values, (v) => v * scale), variances: Float64Array.from(h.variances, (v) => v * scale * scale), scale };
  }

  /** data_obs, the observation line, or for a blinded card (observation -1, no data_obs) the
   *  background-only Asimov data, as `combine -t -1` uses. */
  observation(channel: string, index: number, samples: Sample[], signal: boolean[]): number[] {
    const obs = this.card.observations?.[index];
    const h = this.histogram(channel, 'data_obs', undefined, obs !== undefined);
    if (h !== undefined) return Array.from(h.values);
    if (obs === undefined) throw new UserError(`datacard channel "${channel}": no observation line and no data_obs shape`);
    const nbins = samples[0]?.data.length ?? 1;
    if (obs !== -1 && nbins > 1) throw new UserError(`datacard channel "${channel}": ${nbins} bins but no data_obs histogram (the shapes line for data_obs names none that exists)`);
    if (obs !== -1) return [obs];
    this.notes.add('blinded channels (observation -1): observations set to the background-only Asimov data (nominal background sum)');
    const asimov = new Array<number>(nbins).fill(0);
    samples.forEach((s, k) => {
      if (!signal[k]) s.data.forEach((v, i) => (asimov[i]! += v));
    });
    return asimov;
  }

  lnN(name: string, e: DatacardEffect): Modifier | null {
    if (typeof e === 'number') {
      if (e === 0) return null;
      if (e < 0) this.notes.add(`lnN "${name}": negative kappa has no pyhf normsys equivalent; kept as hi=${e}`);
      return { name, type: 'normsys', data: { hi: e, lo: 1 / e } };
    }
    this.notes.add('asymmetric lnN: Combine interpolates log(kappa) smoothly for |theta| < 0.5; pyhf normsys code1 is piecewise exponential (equal at theta = -1, 0, +1 and beyond)');
    return { name, type: 'normsys', data: { hi: e.up, lo: e.down } };
  }

  shape(name: string, type: string, column: DatacardColumn, nominal: ColumnTemplates, scaleFactor: number): Modifier[] {
    const up = this.histogram(column.bin, column.process, `${name}Up`);
    const down = this.histogram(column.bin, column.process, `${name}Down`);
    if (up === undefined || down === undefined) {
      throw new UserError(`datacard ${type} "${name}" on channel "${column.bin}" process "${column.process}" needs Up/Down templates (no shapes line matches)`);
    }
    if (type !== 'shape' && type !== 'shape?') {
      this.notes.add(`${type}: Combine's ${type.replace('?', '')} morphing has no exact pyhf equivalent; built as normsys + histosys like "shape"`);
    }
    const nominalYield = total(nominal.values);
    const side = (h: TemplateHistogram) => {
      const values = Float64Array.from(h.values, (v) => v * nominal.scale);
      const ratio = total(values) / nominalYield;
      return { kappa: ratio ** scaleFactor, shape: Array.from(values, (v, i) => nominal.values[i]! + scaleFactor * (v / ratio - nominal.values[i]!)) };
    };
    if (scaleFactor !== 1) {
      this.notes.add('shape with a scale other than 1: normsys kappa^scale is exact, histosys shift scaled linearly (exact for linear interpolation only)');
    }
    const hi = side(up);
    const lo = side(down);
    if (!Number.isFinite(hi.kappa) || !Number.isFinite(lo.kappa)) {
      throw new UserError(`datacard shape "${name}" on channel "${column.bin}" process "${column.process}": nominal template is empty`);
    }
    const mods: Modifier[] = [{ name, type: 'normsys', data: { hi: hi.kappa, lo: lo.kappa } }];
    if (nominal.values.length > 1) mods.push({ name, type: 'histosys', data: { hi_data: hi.shape, lo_data: lo.shape } });
    return mods;
  }

  columnModifiers(column: DatacardColumn, k: number, nominal: ColumnTemplates, poi: string): Modifier[] {
    const mods: Modifier[] = [];
    if (column.id <= 0) mods.push({ name: poi, type: 'normfactor', data: null });
    for (const u of this.card.uncertainties) {
      const e = u.effects[k];
      if (e === null || e === undefined || e === 0) continue;
      switch (u.type) {
        case 'lnN': {
          const m = this.lnN(u.name, e);
          if (m !== null) mods.push(m);
          break;
        }
        case 'lnU': {
          this.notes.add(`lnU "${u.name}": uniform in [1/kappa, kappa] has no pyhf equivalent; built as a normfactor with those bounds`);
          mods.push({ name: u.name, type: 'normfactor', data: null });
          break;
        }
        case 'gmN': {
          const n = u.gmN!;
          if (n <= 0) {
            this.notes.add(`gmN "${u.name}" with 0 control events: no Poisson constraint in pyhf (skipped)`);
            break;
          }
          mods.push({ name: u.name, type: 'shapesys', data: Array.from(nominal.values, (v) => v / Math.sqrt(n)) });
          break;
        }
        default: {
          if (typeof e !== 'number') throw new UserError(`datacard ${u.type} "${u.name}": expected a number, got an asymmetric value`);
          const hasTemplates = shapeLocation(this.card, column.bin, column.process, `${u.name}Up`, this.opts.mass ?? '') !== undefined;
          if (u.type.endsWith('?') && !hasTemplates) {
            const m = this.lnN(u.name, e);
            if (m !== null) mods.push(m);
          } else {
            mods.push(...this.shape(u.name, u.type, column, nominal, e));
          }
        }
      }
    }
    for (const r of this.card.rateParams) {
      if (!globMatch(r.bin, column.bin) || !globMatch(r.process, column.process)) continue;
      if (typeof r.value !== 'number') {
        this.notes.add(`rateParam "${r.name}" is a formula (${r.value}); pyhf has no function modifiers (skipped)`);
        continue;
      }
      if (!mods.some((m) => m.name === r.name && m.type === 'normfactor')) mods.push({ name: r.name, type: 'normfactor', data: null });
    }
    return mods;
  }

  autoMCStats(channel: string): { includeSignal: boolean } | null {
    const a = this.card.autoMCStats.find((x) => x.channel === channel) ?? this.card.autoMCStats.find((x) => x.channel === '*');
    if (a === undefined) return null;
    if (a.threshold > 0) {
      this.notes.add('autoMCStats threshold > 0: Combine uses per-process Poisson parameters in bins below the threshold; pyhf staterror is the Gaussian (above-threshold) treatment everywhere');
    }
    return { includeSignal: a.includeSignal };
  }
}

/** Datacard -> pyhf workspace plus the settings and notes the conversion implies. */
export function convertDatacard(card: Datacard, shapes?: DatacardShapeSource, opts: DatacardConversionOptions = {}): DatacardConversion {
  const poi = opts.poi ?? 'r';
  const conv = new Converter(card, shapes, opts);
  const channels: Channel[] = card.bins.map((bin) => {
    const stats = conv.autoMCStats(bin);
    const samples: Sample[] = [];
    card.columns.forEach((column, k) => {
      if (column.bin !== bin) return;
      const nominal = conv.nominal(column);
      const modifiers = conv.columnModifiers(column, k, nominal, poi);
      if (stats !== null && (column.id > 0 || stats.includeSignal)) {
        if (nominal.variances === null) {
          conv.notes.add(`autoMCStats on counting channel "${bin}": no template variances (skipped)`);
        } else {
          modifiers.push({ name: `staterror_${bin}`, type: 'staterror', data: Array.from(nominal.variances, Math.sqrt) });
        }
      }
      samples.push({ name: column.process, data: Array.from(nominal.values), modifiers });
    });
    return { name: bin, samples };
  });
  const observations = card.bins.map((bin, i) => {
    const signal = card.columns.filter((c) => c.bin === bin).map((c) => c.id <= 0);
    return { name: bin, data: conv.observation(bin, i, channels[i]!.samples, signal) };
  });

  const parameters: ParameterConfig[] = [{ name: poi, inits: [1], bounds: [opts.poiBounds ?? [0, 20]] }];
  const seen = new Set([poi]);
  for (const r of card.rateParams) {
    if (typeof r.value !== 'number' || seen.has(r.name)) continue;
    seen.add(r.name);
    if (r.range === undefined) conv.notes.add(`rateParam "${r.name}" has no range: Combine leaves it unbounded, pyhf applies its default normfactor bounds [0, 10]`);
    parameters.push({ name: r.name, inits: [r.value], ...(r.range !== undefined ? { bounds: [r.range] } : {}) });
  }
  for (const u of card.uncertainties) {
    if (u.type !== 'lnU' || seen.has(u.name)) continue;
    seen.add(u.name);
    const kappa = u.effects.find((e): e is number => typeof e === 'number' && e !== 0) ?? 2;
    parameters.push({ name: u.name, inits: [1], bounds: [[Math.min(kappa, 1 / kappa), Math.max(kappa, 1 / kappa)]] });
  }
  if (card.params.length > 0) conv.notes.add(`param lines (${card.params.map((p) => p.name).join(', ')}): constraints on parametric-model parameters are not converted`);
  if (card.groups.length > 0) conv.notes.add('nuisance groups have no pyhf equivalent (ignored)');
  if (card.other.length > 0) conv.notes.add(`directives not converted: ${card.other.join('; ')}`);
  if (card.uncertainties.some((u) => u.type === 'gmN') && channels.some((c) => c.samples.length > 0 && c.samples[0]!.data.length > 1)) {
    conv.notes.add('gmN on multi-bin channels: pyhf shapesys has one parameter per bin, Combine one per nuisance');
  }
  return {
    workspace: {
      channels,
      measurements: [{ name: opts.measurementName ?? 'combine', config: { poi, parameters } }],
      observations,
      version: '1.0.0',
    },
    modifierSettings: { normsys: { interpcode: 'code1' }, histosys: { interpcode: 'code4p' } },
    notes: [...conv.notes],
  };
}

/** The pyhf workspace for a datacard (see convertDatacard for the notes and settings). */
export function datacardToWorkspace(card: Datacard, shapes?: DatacardShapeSource, opts?: DatacardConversionOptions): Workspace {
  return convertDatacard(card, shapes, opts).workspace;
}

// Deterministic synthetic workspaces for benchmarks and tests: many channels, shared systematics of
// every multiplicative/additive kind, pseudo-data drawn from the nominal model.
import type { Workspace } from './workspace.ts';

export interface SyntheticOptions {
  channels: number;
  bins: number;
  /** shared normsys count (default 5) */
  normsys?: number;
  /** shared histosys count (default 3) */
  histosys?: number;
  /** per-channel staterror (one parameter per bin: large models get big) */
  staterror?: boolean;
  seed?: number;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

export function syntheticWorkspace(o: SyntheticOptions): Workspace {
  const rand = rng(o.seed ?? 12345);
  const nNorm = o.normsys ?? 5, nHist = o.histosys ?? 3;
  const channels: Workspace['channels'] = [];
  const observations: Workspace['observations'] = [];
  for (let c = 0; c < o.channels; c++) {
    const name = `ch${String(c).padStart(3, '0')}`;
    const sig = Array.from({ length: o.bins }, (_, b) => 2 + 8 * Math.exp(-((b - o.bins / 2) ** 2) / 8));
    const bkg = Array.from({ length: o.bins }, (_, b) => 50 * Math.exp(-b / o.bins) + 5 * rand());
    const bkg2 = Array.from({ length: o.bins }, () => 10 + 5 * rand());
    const bkgMods: Workspace['channels'][number]['samples'][number]['modifiers'] = [
      { name: 'lumi', type: 'lumi', data: null },
      ...Array.from({ length: nNorm }, (_, k) => ({ name: `norm_${k}`, type: 'normsys' as const, data: { hi: 1 + 0.02 * (k + 1), lo: 1 - 0.018 * (k + 1) } })),
      ...Array.from({ length: nHist }, (_, k) => ({
        name: `shape_${k}`, type: 'histosys' as const,
        data: { hi_data: bkg.map((v, b) => v * (1 + 0.03 * Math.sin(b + k))), lo_data: bkg.map((v, b) => v * (1 - 0.025 * Math.sin(b + k))) },
      })),
    ];
    if (o.staterror) bkgMods.push({ name: `stat_${name}`, type: 'staterror', data: bkg.map((v) => Math.sqrt(v) * 0.3) });
    channels.push({
      name,
      samples: [
        { name: 'signal', data: sig, modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'lumi', type: 'lumi', data: null }] },
        { name: 'bkg', data: bkg, modifiers: bkgMods },
        { name: 'bkg2', data: bkg2, modifiers: [{ name: 'bkg2_norm', type: 'normfactor', data: null }] },
      ],
    });
    // pseudo-data: nominal background plus half the signal, rounded (deterministic)
    observations.push({ name, data: sig.map((s, b) => Math.round(bkg[b]! + bkg2[b]! + 0.5 * s + (rand() - 0.5) * 2 * Math.sqrt(bkg[b]!))) });
  }
  return {
    version: '1.0.0',
    channels,
    observations,
    measurements: [{ name: 'meas', config: { poi: 'mu', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [0.02], bounds: [[0.8, 1.2]], inits: [1] }] } }],
  };
}

export interface ScalingOptions {
  channels: number;
  bins: number;
  /** shared normsys on the main background, effects varying by parameter and channel (default 0) */
  normsys?: number;
  /** shared histosys on the main background (default 0) */
  histosys?: number;
  /** a free normfactor per channel on the second background (default false) */
  channelNorms?: boolean;
  /** per-bin modifiers on the main background (one parameter per channel and bin) */
  staterror?: boolean;
  shapesys?: boolean;
  /** per-bin free factors on the second background */
  shapefactor?: boolean;
  seed?: number;
}

/** Workspaces that grow along one axis at a time (channels, bins, parameters of one modifier type),
 *  well posed at every size (every parameter constrained or measured), for the model-size bench. */
export function scalingWorkspace(o: ScalingOptions): Workspace {
  const rand = rng(o.seed ?? 777);
  const channels: Workspace['channels'] = [];
  const observations: Workspace['observations'] = [];
  for (let c = 0; c < o.channels; c++) {
    const name = `ch${String(c).padStart(4, '0')}`;
    const sig = Array.from({ length: o.bins }, (_, b) => 3 + 6 * Math.exp(-((b - o.bins / 2) ** 2) / 8));
    const bkg = Array.from({ length: o.bins }, (_, b) => 80 * Math.exp(-b / (o.bins + 1)) + 10 * rand());
    const bkg2 = Array.from({ length: o.bins }, () => 20 + 10 * rand());
    type Mods = Workspace['channels'][number]['samples'][number]['modifiers'];
    const mods: Mods = [];
    for (let k = 0; k < (o.normsys ?? 0); k++) {
      const e = 0.002 + 0.02 * rand();
      mods.push({ name: `norm_${k}`, type: 'normsys', data: { hi: 1 + e, lo: 1 - 0.9 * e } });
    }
    for (let k = 0; k < (o.histosys ?? 0); k++) {
      const a = 0.002 + 0.02 * rand(), ph = 6 * rand();
      mods.push({ name: `shape_${k}`, type: 'histosys', data: {
        hi_data: bkg.map((v, b) => v * (1 + a * Math.sin(b + ph))), lo_data: bkg.map((v, b) => v * (1 - 0.9 * a * Math.sin(b + ph))),
      } });
    }
    if (o.staterror) mods.push({ name: `stat_${name}`, type: 'staterror', data: bkg.map((v) => 0.05 * v) });
    if (o.shapesys) mods.push({ name: `shapesys_${name}`, type: 'shapesys', data: bkg.map((v) => 0.05 * v) });
    const mods2: Mods = [];
    if (o.channelNorms) mods2.push({ name: `norm_${name}`, type: 'normfactor', data: null });
    if (o.shapefactor) mods2.push({ name: `sf_${name}`, type: 'shapefactor', data: null });
    channels.push({ name, samples: [
      { name: 'signal', data: sig, modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: bkg, modifiers: mods },
      { name: 'bkg2', data: bkg2, modifiers: mods2 },
    ] });
    observations.push({ name, data: sig.map((s, b) => Math.round(bkg[b]! + bkg2[b]! + 0.5 * s + (rand() - 0.5) * 2 * Math.sqrt(bkg[b]!))) });
  }
  return { version: '1.0.0', channels, observations, measurements: [{ name: 'meas', config: { poi: 'mu', parameters: [] } }] };
}

// Per-chunk sample metadata for user selections and fills, derived from the fetch node's FileInfo.
import type { FileInfo } from '../engine/node-kind.ts';
import { UserError } from '../errors.ts';

export interface SampleInfo {
  sample: string;
  process: string;
  variation: string;
  isData: boolean;
  xsec?: number;
  nevts?: number;
  sumw?: number;
  metadata: Record<string, unknown>;
}

export function sampleInfo(file: FileInfo): SampleInfo {
  const md = file.metadata ?? {};
  const isData = md.is_data === true || md.isData === true || file.process === 'data' || file.sample === 'data';
  return { sample: file.sample, process: file.process || file.sample, variation: file.variation || 'nominal', isData, xsec: file.xsec, nevts: file.nevts, sumw: file.sumw, metadata: md };
}

/** xsec * lumi / nevts (or / sumw with normalise: 'sumw'); 1 for data. Without a per-file count,
 *  the fileset's sample total (`metadata.nevts_total` / `sumw_total`) is used. */
export function normalisation(s: SampleInfo, lumi: number, normalise: 'nevts' | 'sumw' | 'none' = 'nevts'): number {
  if (s.isData || normalise === 'none') return 1;
  const total = s.metadata[normalise === 'sumw' ? 'sumw_total' : 'nevts_total'];
  const denom = (normalise === 'sumw' ? s.sumw : s.nevts) ?? (typeof total === 'number' ? total : undefined);
  if (s.xsec === undefined || denom === undefined) {
    throw new UserError(`sample '${s.sample}' (${s.variation}) needs xsec and ${normalise} metadata for the event weight xsec*lumi/${normalise} (give them in fetch's samples, or fill with normalise: 'none' for unweighted histograms)`);
  }
  return (s.xsec * lumi) / denom;
}

export const sampleKey = (s: SampleInfo): string => `${s.sample}__${s.variation}`;

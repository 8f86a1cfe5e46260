// Normalising MC samples split over several files: each event weighs xsec*lumi / (sum of the
// generated events of the sample's files), as the AGC's fileset does (nevts = sum over the files
// used). A fill chunk only knows its own file, so it fills with xsec*lumi / n_file and tags its
// partial with (sample, file, n_file); partials of one sample are then re-weighted as they are
// merged: H <- (H*N + P*n)/(N + n) when a new file arrives, H <- H + P*n/N for another chunk of a
// file already counted. The result does not depend on the order chunks finish in.
import { emptyArtifact, fromData, mergeInto, toData, type HistData, type HistogramsArtifact } from '../hist/index.ts';

export interface FileNorm { sample: string; path: string; n: number }

/** A fill partial: the chunk's histograms, plus its file normalisation when it needs re-weighting. */
export interface FillPartial extends HistogramsArtifact {
  norm?: FileNorm;
  /** present on accumulators: per sample, the generated events of the files seen and their hists */
  bySample?: Record<string, { n: number; files: string[]; hists: Record<string, HistData> }>;
}

function scaled(hists: Record<string, HistData>, f: number): Record<string, HistData> {
  if (f === 1) return hists;
  const out: Record<string, HistData> = {};
  for (const [k, d] of Object.entries(hists)) out[k] = toData(fromData(d).scale(f));
  return out;
}

function addHists(into: Record<string, HistData>, from: Record<string, HistData>): Record<string, HistData> {
  const a = emptyArtifact(), b = emptyArtifact();
  a.hists = into; b.hists = from;
  return mergeInto(a, b).hists;
}

function absorb(acc: FillPartial, part: FillPartial): FillPartial {
  if (part.bySample) {
    // merging two accumulators: replay the other's samples as pseudo-partials
    mergeInto(acc, { ...part, hists: part.hists, bySample: undefined } as HistogramsArtifact);
    for (const [sample, s] of Object.entries(part.bySample)) {
      const mine = (acc.bySample![sample] ??= { n: 0, files: [], hists: {} });
      const newFiles = s.files.filter((f) => !mine.files.includes(f));
      if (newFiles.length !== s.files.length && newFiles.length !== 0) throw new Error(`sample ${sample}: files split over accumulators`);
      const n = newFiles.length ? mine.n + s.n : mine.n;
      mine.hists = addHists(scaled(mine.hists, mine.n / n || 0), scaled(s.hists, s.n / n));
      mine.n = n; mine.files.push(...newFiles);
    }
    return acc;
  }
  if (!part.norm) return mergeInto(acc, part) as FillPartial;
  const { sample, path, n } = part.norm;
  const s = (acc.bySample![sample] ??= { n: 0, files: [], hists: {} });
  const seen = s.files.includes(path);
  const total = seen ? s.n : s.n + n;
  s.hists = addHists(scaled(s.hists, s.n / total || 0), scaled(part.hists, n / total));
  s.n = total;
  if (!seen) s.files.push(path);
  const counters = { ...part, hists: {} };
  delete counters.norm;
  mergeInto(acc, counters);
  return acc;
}

function accumulator(x: FillPartial): FillPartial {
  if (x.bySample) return x;
  return absorb({ ...emptyArtifact(), bySample: {} }, x);
}

export function combineFillPartials(acc: FillPartial, part: FillPartial): FillPartial {
  return absorb(accumulator(acc), part);
}

/** The merged Histograms: every sample's re-weighted histograms added to the rest. */
export function finishFillPartials(total: FillPartial): HistogramsArtifact {
  const acc = accumulator(total);
  const out: HistogramsArtifact = { kind: acc.kind, hists: acc.hists, nevents: acc.nevents, cutflows: acc.cutflows };
  for (const s of Object.values(acc.bySample ?? {})) out.hists = addHists(out.hists, s.hists);
  return out;
}

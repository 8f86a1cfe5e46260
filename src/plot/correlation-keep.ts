// Which parameters a correlation figure shows (pure: planned on the main thread, drawn in a worker).

export interface PruneOptions {
  /** cabinetry's pruning_threshold (default 0: nothing but fixed parameters goes) */
  threshold?: number;
  /** at most this many, the most correlated ones */
  max?: number;
  /** left out whatever their correlations (staterror parameters, by default) */
  drop?: (index: number) => boolean;
}

/** The parameters the figure shows, in their order: without fixed ones (no correlation at all),
 *  without dropped ones, then those with some |correlation| >= threshold with another one shown,
 *  at most `max` of them (the largest |correlation| first). All of them if none would be left. */
export function correlationKeep(matrix: ArrayLike<ArrayLike<number>>, o: PruneOptions = {}): number[] {
  const n = matrix.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const strength = (i: number, among: number[]) => Math.max(0, ...among.map((j) => (j === i ? 0 : Math.abs(matrix[i]![j]!))));
  const fixed = (i: number) => all.every((j) => matrix[i]![j] === 0);
  let keep = all.filter((i) => !fixed(i) && !o.drop?.(i));
  const candidates = keep;
  if (o.threshold) keep = keep.filter((i) => strength(i, candidates) >= o.threshold!);
  if (o.max !== undefined && keep.length > o.max) {
    const ranked = keep.map((i) => [i, strength(i, candidates)] as const).sort((a, b) => b[1] - a[1]);
    const strongest = new Set(ranked.slice(0, o.max).map(([i]) => i));
    keep = keep.filter((i) => strongest.has(i));
  }
  return keep.length ? keep : all;
}

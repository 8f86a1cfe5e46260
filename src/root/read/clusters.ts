// Entry boundaries for chunking: ROOT's cluster ranges when the tree records them, else the
// entries where every branch starts a basket (reading a chunk then never splits a basket).

/** Sorted boundaries from 0 to entries (both included). */
export function clusterBoundaries(tree: any, entries: number, basketStarts: number[][]): number[] {
  const out: number[] = [0];
  const nRanges: number = tree.fNClusterRange ?? 0;
  const autoFlush: number = tree.fAutoFlush ?? 0;
  if (nRanges > 0 || autoFlush > 0) {
    let start = 0;
    for (let i = 0; i < nRanges; i++) {
      const end: number = Number(tree.fClusterRangeEnd[i]); // last entry of the range, inclusive
      let step: number = Number(tree.fClusterSize[i]);
      if (!(step > 0)) step = autoFlush > 0 ? autoFlush : end + 1 - start;
      while (start + step <= end + 1 && start + step < entries) { start += step; out.push(start); }
      if (end + 1 > start && end + 1 < entries) { start = end + 1; out.push(start); }
    }
    if (autoFlush > 0) {
      while (start + autoFlush < entries) { start += autoFlush; out.push(start); }
    }
  } else if (basketStarts.length > 0) {
    let common = new Set(basketStarts[0]);
    for (const starts of basketStarts.slice(1)) {
      const s = new Set(starts);
      common = new Set([...common].filter((x) => s.has(x)));
    }
    out.push(...[...common].filter((x) => x > 0 && x < entries).sort((a, b) => a - b));
  }
  if (entries > 0) out.push(entries);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Groups whole clusters into chunks of at least `target` entries (the last may be smaller); a
 *  single cluster of more than `target` entries is cut into about-target pieces (the baskets at a
 *  cut are then read by both pieces). */
export function chunksFromBoundaries(bounds: number[], target: number): Array<{ start: number; stop: number }> {
  if (!(target > 0)) throw new RangeError(`chunk size must be positive, got ${target}`);
  const out: Array<{ start: number; stop: number }> = [];
  let start = bounds[0] ?? 0;
  for (let i = 1; i < bounds.length; i++) {
    const prev = bounds[i - 1]!, b = bounds[i]!;
    if (b - prev > target) {
      if (prev > start) out.push({ start, stop: prev });
      const pieces = Math.max(1, Math.round((b - prev) / target));
      for (let k = 0; k < pieces; k++) {
        out.push({ start: prev + Math.round(((b - prev) * k) / pieces), stop: prev + Math.round(((b - prev) * (k + 1)) / pieces) });
      }
      start = b;
    } else if (b - start >= target) {
      out.push({ start, stop: b });
      start = b;
    }
  }
  const end = bounds[bounds.length - 1] ?? 0;
  if (end > start) out.push({ start, stop: end });
  return out;
}

// "Did you mean" candidates for a misspelt name: branches, trees and keys (the ROOT reader), node
// options (strict-params), event fields and collections (columnar).

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` names closest to `name` (case-insensitive edit distance, or containing it). */
export function suggest(name: string, names: string[], max = 3): string[] {
  const low = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  return names
    .map((n) => ({ n, d: n.toLowerCase().includes(low) ? 0.5 : distance(low, n.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.n);
}

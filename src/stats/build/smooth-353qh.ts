// "353QH, twice" smoothing (ROOT TH1::SmoothArray, Friedman's proceedings CERN 1974), the one
// algorithm cabinetry's Smoothing setting offers: running medians of 3, 5, 3, quadratic fix of
// flat 3-point segments, Hanning running mean; then the same on the residuals ("twicing").

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function median(values: number[]): number {
  const s = values.slice().sort((x, y) => x - y);
  return s[(s.length - 1) >> 1]!;
}

function runningMedians353(z: Float64Array): void {
  const n = z.length;
  for (let pass = 0; pass < 3; pass++) {
    const y = z.slice();
    const half = pass === 1 ? 2 : 1;
    for (let i = half; i < n - half; i++) {
      z[i] = half === 1 ? median3(y[i - 1]!, y[i]!, y[i + 1]!) : median([y[i - 2]!, y[i - 1]!, y[i]!, y[i + 1]!, y[i + 2]!]);
    }
    if (pass === 0) {
      // end points: median of the end value, its neighbour and the linear extrapolation (ROOT's rule)
      z[0] = median3(3 * z[1]! - 2 * z[2]!, y[0]!, z[1]!);
      z[n - 1] = median3(z[n - 2]!, y[n - 1]!, 3 * z[n - 2]! - 2 * z[n - 3]!);
    } else if (pass === 1) {
      z[1] = median3(y[0]!, y[1]!, y[2]!);
      z[n - 2] = median3(y[n - 3]!, y[n - 2]!, y[n - 1]!);
    }
  }
}

function smooth353QH(z: Float64Array): void {
  const n = z.length;
  runningMedians353(z);
  const y = z.slice();
  for (let i = 2; i < n - 2; i++) {
    if (z[i - 1] !== z[i] || z[i] !== z[i + 1]) continue;
    const left = z[i - 2]! - z[i]!;
    const right = z[i + 2]! - z[i]!;
    if (left * right <= 0) continue;
    const jk = Math.abs(right) > Math.abs(left) ? -1 : 1;
    y[i] = -0.5 * z[i - 2 * jk]! + z[i]! / 0.75 + z[i + 2 * jk]! / 6;
    y[i + jk] = 0.5 * (z[i + 2 * jk]! - z[i - 2 * jk]!) + z[i]!;
  }
  for (let i = 1; i < n - 1; i++) z[i] = 0.25 * y[i - 1]! + 0.5 * y[i]! + 0.25 * y[i + 1]!;
  z[0] = y[0]!;
  z[n - 1] = y[n - 1]!;
}

/** Smoothed copy of `input` (returned unchanged when it has fewer than 3 entries). Stays
 *  non-negative when the input is. */
export function smooth353QHTwice(input: ArrayLike<number>): Float64Array {
  const n = input.length;
  const out = Float64Array.from(input);
  if (n < 3) return out;
  const smooth = Float64Array.from(input);
  smooth353QH(smooth);
  const rough = new Float64Array(n);
  for (let i = 0; i < n; i++) rough[i] = input[i]! - smooth[i]!;
  smooth353QH(rough);
  let anyNegative = false;
  for (let i = 0; i < n; i++) if (input[i]! < 0) anyNegative = true;
  for (let i = 0; i < n; i++) {
    const v = smooth[i]! + rough[i]!;
    out[i] = anyNegative ? v : Math.max(v, 0);
  }
  return out;
}

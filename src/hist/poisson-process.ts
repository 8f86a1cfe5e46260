// Poisson fluctuation of binned expectations that does not depend on the binning. One unit-rate
// Poisson process is drawn along the axis in "expected events" coordinates: its arrival times are
// cumulative sums of Exp(1) draws from the seed, and a bin [Λ_lo, Λ_hi) of the cumulative expectation
// gets the arrivals that fall into it. Each bin's count is then Poisson(its expectation), independent
// of the other bins (a Poisson process has independent increments), and the realization is a
// property of the events, not of the bins: rebinning 34 -> 17 bins gives exactly the sums of
// adjacent 34-bin counts, since Λ at a shared edge is the same expected number of events. (Drawing
// bin by bin from one stream re-draws every bin whenever the bin count changes.)
import { Rng } from '../columnar/random.ts';

/** counts[i] for the cells at `cells[0..]`, in axis order, of one row of `expected`. Negative
 *  expectations (negative weights) count as zero. */
export function poissonProcessCounts(expected: ArrayLike<number>, cells: ArrayLike<number>, rng: Rng, out: Float64Array): void {
  let edge = 0;
  let arrival = -Math.log(rng.uniform());
  for (let j = 0; j < cells.length; j++) {
    const cell = cells[j]!;
    const m = expected[cell]!;
    edge += m > 0 ? m : 0;
    let k = 0;
    while (arrival < edge) {
      k++;
      arrival -= Math.log(rng.uniform());
    }
    out[cell] = k;
  }
}

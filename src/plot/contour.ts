// Contour segments of a function sampled on a rectangular grid (marching squares with linear
// interpolation along the cell edges): for the 68% / 95% regions of a 2D likelihood scan.

export type Segment = [number, number, number, number];

/** z[i][j] at (xs[i], ys[j]); the segments of the curve z = level, each [x1, y1, x2, y2]. */
export function contourSegments(xs: number[], ys: number[], z: number[][], level: number): Segment[] {
  const out: Segment[] = [];
  const cross = (xa: number, ya: number, za: number, xb: number, yb: number, zb: number): [number, number] => {
    const t = (level - za) / (zb - za);
    return [xa + t * (xb - xa), ya + t * (yb - ya)];
  };
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      // corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1)
      const c: Array<[number, number, number]> = [
        [xs[i]!, ys[j]!, z[i]![j]!], [xs[i + 1]!, ys[j]!, z[i + 1]![j]!],
        [xs[i + 1]!, ys[j + 1]!, z[i + 1]![j + 1]!], [xs[i]!, ys[j + 1]!, z[i]![j + 1]!],
      ];
      const pts: Array<[number, number]> = [];
      for (let e = 0; e < 4; e++) {
        const a = c[e]!, b = c[(e + 1) % 4]!;
        if ((a[2] < level) !== (b[2] < level)) pts.push(cross(a[0], a[1], a[2], b[0], b[1], b[2]));
      }
      // 2 crossings: one segment; 4 (a saddle): pair them in edge order
      for (let k = 0; k + 1 < pts.length; k += 2) out.push([pts[k]![0], pts[k]![1], pts[k + 1]![0], pts[k + 1]![1]]);
    }
  }
  return out;
}

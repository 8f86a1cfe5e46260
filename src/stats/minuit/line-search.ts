// Minuit2's MnLineSearch: from x along `step` (slope gdel at 0), first a parabola through f(0), f(1)
// and the slope, then parabolas through the three best points, with Minuit's step limits. Returns the
// best multiple of the step seen and its function value.
import { EPS, EPS2 } from './precision.ts';
import type { Fcn } from './transform.ts';

export interface LinePoint { x: number; y: number }

export function lineSearch(fcn: Fcn, x: Float64Array, fval: number, step: Float64Array, gdel: number): LinePoint {
  const n = x.length;
  let overal = 1000, undral = -100;
  const toler = 0.05, slambg = 5, alpha = 2, maxiter = 12;
  let niter = 1;
  let slamin = 0;
  for (let i = 0; i < n; i++) {
    if (step[i] === 0) continue;
    const ratio = Math.abs(x[i]! / step[i]!);
    if (slamin === 0) slamin = ratio;
    if (ratio < slamin) slamin = ratio;
  }
  if (Math.abs(slamin) < EPS) slamin = EPS;
  slamin *= EPS2;
  const xs = new Float64Array(n);
  const at = (s: number): number => {
    for (let i = 0; i < n; i++) xs[i] = x[i]! + s * step[i]!;
    return fcn.eval(xs);
  };
  const f0 = fval;
  const f1 = at(1);
  niter++;
  let fvmin = fval, xvmin = 0;
  if (f1 < f0) { fvmin = f1; xvmin = 1; }
  let toler8 = toler, slamax = slambg, flast = f1, slam = 1;
  let p0: LinePoint = { x: 0, y: f0 };
  let p1: LinePoint = { x: slam, y: flast };
  let f2 = 0;
  let iterate: boolean;
  do {
    iterate = false;
    const denom = 2 * (flast - f0 - gdel * slam) / (slam * slam);
    if (denom !== 0) slam = -gdel / denom;
    else slam = 1;
    if (slam < 0) slam = slamax;
    if (slam > slamax) slam = slamax;
    if (slam < toler8) slam = toler8;
    if (slam < slamin) return { x: xvmin, y: fvmin };
    if (Math.abs(slam - 1) < toler8 && p1.y < p0.y) return { x: xvmin, y: fvmin };
    if (Math.abs(slam - 1) < toler8) slam = 1 + toler8;
    f2 = at(slam);
    niter++;
    if (f2 < fvmin) { fvmin = f2; xvmin = slam; }
    if (Math.abs(p0.y - fvmin) < Math.abs(fvmin) * EPS) {
      iterate = true;
      flast = f2;
      toler8 = toler * slam;
      overal = slam - toler8;
      slamax = overal;
      p1 = { x: slam, y: flast };
    }
  } while (iterate && niter < maxiter);
  if (niter >= maxiter) return { x: xvmin, y: fvmin };

  let p2: LinePoint = { x: slam, y: f2 };
  do {
    slamax = Math.max(slamax, alpha * Math.abs(xvmin));
    const { a, b } = parabola(p0, p1, p2);
    if (a < EPS2) {
      const slopem = 2 * a * xvmin + b;
      slam = slopem < 0 ? xvmin + slamax : xvmin - slamax;
    } else {
      slam = -b / (2 * a);
      if (slam > xvmin + slamax) slam = xvmin + slamax;
      if (slam < xvmin - slamax) slam = xvmin - slamax;
    }
    if (slam > 0) { if (slam > overal) slam = overal; } else if (slam < undral) slam = undral;
    let f3 = 0;
    do {
      iterate = false;
      const toler9 = Math.max(toler8, Math.abs(toler8 * slam));
      if (Math.abs(p0.x - slam) < toler9 || Math.abs(p1.x - slam) < toler9 || Math.abs(p2.x - slam) < toler9) return { x: xvmin, y: fvmin };
      f3 = at(slam);
      if (f3 > p0.y && f3 > p1.y && f3 > p2.y) {
        if (slam > xvmin) overal = Math.min(overal, slam - toler8);
        if (slam < xvmin) undral = Math.max(undral, slam + toler8);
        slam = 0.5 * (slam + xvmin);
        iterate = true;
        niter++;
      }
    } while (iterate && niter < maxiter);
    if (niter >= maxiter) return { x: xvmin, y: fvmin };
    const p3 = { x: slam, y: f3 };
    if (p0.y > p1.y && p0.y > p2.y) p0 = p3;
    else if (p1.y > p0.y && p1.y > p2.y) p1 = p3;
    else p2 = p3;
    if (f3 < fvmin) { fvmin = f3; xvmin = slam; }
    else {
      if (slam > xvmin) overal = Math.min(overal, slam - toler8);
      if (slam < xvmin) undral = Math.max(undral, slam + toler8);
    }
    niter++;
  } while (niter < maxiter);
  return { x: xvmin, y: fvmin };
}

/** a x² + b x + c through three points (Minuit2's MnParabolaFactory, centred for rounding). */
function parabola(p1: LinePoint, p2: LinePoint, p3: LinePoint): { a: number; b: number } {
  let x1 = p1.x, x2 = p2.x, x3 = p3.x;
  const dx12 = x1 - x2, dx13 = x1 - x3, dx23 = x2 - x3;
  const xm = (x1 + x2 + x3) / 3;
  x1 -= xm; x2 -= xm; x3 -= xm;
  const y1 = p1.y, y2 = p2.y, y3 = p3.y;
  const a = y1 / (dx12 * dx13) - y2 / (dx12 * dx23) + y3 / (dx13 * dx23);
  let b = -y1 * (x2 + x3) / (dx12 * dx13) + y2 * (x1 + x3) / (dx12 * dx23) - y3 * (x1 + x2) / (dx13 * dx23);
  b -= 2 * xm * a;
  return { a, b };
}

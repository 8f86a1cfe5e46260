export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** deltaPhi wrapped into [-pi, pi). */
export function deltaPhi(phi1: number, phi2: number): number {
  let d = (phi1 - phi2) % (2 * Math.PI);
  if (d >= Math.PI) d -= 2 * Math.PI;
  else if (d < -Math.PI) d += 2 * Math.PI;
  return d;
}

export function deltaR(eta1: number, phi1: number, eta2: number, phi2: number): number {
  const dp = deltaPhi(phi1, phi2), de = eta1 - eta2;
  return Math.sqrt(de * de + dp * dp);
}

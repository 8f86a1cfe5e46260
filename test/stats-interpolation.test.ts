// Interpolation codes against hand-written formulas (HistFactory / pyhf definitions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  code0, code0Deriv, code1, code1Deriv, code4, code4Coefficients, code4Deriv, code4p, code4pDeriv,
} from '../src/stats/interpolation.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('code1 is hi^alpha above zero and lo^-alpha below', () => {
  close(code1(0.7, 1.2, 0.9), 1.2 ** 0.7);
  close(code1(-1.3, 1.2, 0.9), 0.9 ** 1.3);
  close(code1(0, 1.2, 0.9), 1);
  close(code1Deriv(0.5, 1.2, 0.9), 1.2 ** 0.5 * Math.log(1.2));
  close(code1Deriv(-0.5, 1.2, 0.9), -(0.9 ** 0.5) * Math.log(0.9));
});

test('code4 is exponential outside |alpha| >= 1 and a smooth polynomial through 1 inside', () => {
  const hi = 1.3, lo = 0.75, c = code4Coefficients(hi, lo);
  close(code4(2.5, hi, lo, c), hi ** 2.5);
  close(code4(-1.7, hi, lo, c), lo ** 1.7);
  close(code4(0, hi, lo, c), 1);
  // value, slope and curvature continuous at +-1 (the six conditions defining the polynomial)
  const eps = 1e-6;
  for (const a of [1, -1]) {
    const outside = a * (1 + eps), inside = a * (1 - eps);
    close(code4(inside, hi, lo, c), code4(outside, hi, lo, c), 1e-5);
    close(code4Deriv(inside, hi, lo, c), code4Deriv(outside, hi, lo, c), 1e-5);
  }
  const d2 = (a: number) => (code4Deriv(a + 1e-5, hi, lo, c) - code4Deriv(a - 1e-5, hi, lo, c)) / 2e-5;
  close(d2(0.99999), hi * Math.log(hi) ** 2, 1e-3);
  close(d2(-0.99999), lo * Math.log(lo) ** 2, 1e-3);
  // the polynomial: 1 + sum a_i alpha^i, evaluated by hand at alpha = 0.4
  let v = 1;
  for (let i = 0; i < 6; i++) v += c[i]! * 0.4 ** (i + 1);
  close(code4(0.4, hi, lo, c), v);
});

test('code0 is piecewise linear in the up and down shifts', () => {
  close(code0(0.5, 12, 10, 7), 0.5 * 2);
  close(code0(-0.5, 12, 10, 7), -0.5 * 3);
  close(code0Deriv(0.5, 12, 10, 7), 2);
  close(code0Deriv(-0.5, 12, 10, 7), 3);
});

test('code4p matches the piecewise definition and is smooth at +-1', () => {
  const hi = 12, nom = 10, lo = 7;
  close(code4p(1.5, hi, nom, lo), 1.5 * 2);
  close(code4p(-2, hi, nom, lo), -2 * 3);
  // inside: alpha * (S + alpha * A * (15 + alpha^2 (3 alpha^2 - 10))), S = (up + dn)/2, A = (up - dn)/16
  const a = 0.3, S = 0.5 * (2 + 3), A = (2 - 3) / 16;
  close(code4p(a, hi, nom, lo), a * (S + a * A * (15 + a * a * (3 * a * a - 10))));
  close(code4p(1 - 1e-9, hi, nom, lo), 2, 1e-7);
  close(code4p(-1 + 1e-9, hi, nom, lo), -3, 1e-7);
  close(code4pDeriv(1 - 1e-9, hi, nom, lo), 2, 1e-6);
  close(code4pDeriv(-1 + 1e-9, hi, nom, lo), 3, 1e-6);
  const fd = (code4p(a + 1e-6, hi, nom, lo) - code4p(a - 1e-6, hi, nom, lo)) / 2e-6;
  close(code4pDeriv(a, hi, nom, lo), fd, 1e-7);
});

test('the model applies the interpolation codes exactly (histosys and normsys terms)', async () => {
  const { buildModel } = await import('../src/stats/model.ts');
  const { loadWorkspace } = await import('../src/stats/workspace.ts');
  const nom = [10, 20, 5], hi = [12, 26, 5.5], lo = [7, 17, 4];
  const ws = loadWorkspace({
    version: '1.0.0',
    channels: [{ name: 'c', samples: [{ name: 's', data: nom, modifiers: [
      { name: 'h', type: 'histosys', data: { hi_data: hi, lo_data: lo } },
      { name: 'n', type: 'normsys', data: { hi: 1.2, lo: 0.85 } },
    ] }] }],
    observations: [{ name: 'c', data: [10, 20, 5] }],
    measurements: [{ name: 'm', config: { poi: 'n', parameters: [] } }],
  });
  for (const [hcode, ncode] of [['code4p', 'code4'], ['code0', 'code1']] as const) {
    const model = buildModel(ws, undefined, { histosys: hcode, normsys: ncode });
    const coeffs = code4Coefficients(1.2, 0.85);
    for (const a of [-2.5, -1, -0.6, 0, 0.3, 1, 1.7]) {
      const pars = Float64Array.from(model.parNames.map(() => a));
      const exp = model.expectedMain(pars);
      const factor = ncode === 'code4' ? code4(a, 1.2, 0.85, coeffs) : code1(a, 1.2, 0.85);
      nom.forEach((v, i) => {
        const shift = hcode === 'code4p' ? code4p(a, hi[i]!, v, lo[i]!) : code0(a, hi[i]!, v, lo[i]!);
        close(exp[i]!, (v + shift) * factor, 1e-12);
      });
    }
  }
});

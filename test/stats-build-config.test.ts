import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseCabinetryConfig, readCabinetryConfig, validateCabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import { smooth353QHTwice } from '../src/stats/build/smooth-353qh.ts';
import { UserError } from '../src/errors.ts';
import { AGC_CONFIG_PATH, HZZ_CONFIG_YAML, TUTORIAL_CONFIG_YAML } from './stats-build-fixtures.ts';

test('AGC, seed 000 and seed 003 configs load', () => {
  const agc = readCabinetryConfig(AGC_CONFIG_PATH);
  assert.equal(agc.Systematics?.length, 11);
  assert.equal(agc.Samples[0]!.Data, true); // YAML 1.1 `True`
  assert.deepEqual(agc.NormFactors[0]!.Bounds, [0, 10]);
  assert.equal(parseCabinetryConfig(HZZ_CONFIG_YAML).Systematics?.[2]?.Up.Normalization, 0.1);
  assert.equal(parseCabinetryConfig(TUTORIAL_CONFIG_YAML).Samples.length, 6);
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected UserError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected an error');
}

test('zod errors name the config key path', () => {
  const agc = parse(readFileSync(AGC_CONFIG_PATH, 'utf8'), { version: '1.1' }) as { Systematics: Array<Record<string, unknown>>; [k: string]: unknown };
  const bad = structuredClone(agc);
  bad.Systematics[3]!.Up = { Normalization: 'three percent' };
  assert.match(messageOf(() => validateCabinetryConfig(bad, 'agc.yml')), /^agc\.yml: Systematics\[3\]\.Up\.Normalization: expected number/);

  const badType = structuredClone(agc);
  badType.Systematics[0]!.Type = 'Shape';
  assert.match(messageOf(() => validateCabinetryConfig(badType)), /Systematics\[0\]\.Type: expected one of "Normalization" \| "NormPlusShape"/);

  assert.match(messageOf(() => validateCabinetryConfig({ ...agc, Regoins: [] })), /\(top level\): unknown key "Regoins"/);
  const noMeasurement = structuredClone(agc) as Record<string, Record<string, unknown>>;
  delete noMeasurement.General!.Measurement;
  assert.match(messageOf(() => validateCabinetryConfig(noMeasurement)), /General\.Measurement: expected string/);
  assert.match(messageOf(() => parseCabinetryConfig('General: [unclosed')), /not valid YAML/);
});

test("cabinetry's own rules: one data sample, unique names, no double symmetrisation, known references", () => {
  const base = parseCabinetryConfig(HZZ_CONFIG_YAML);
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, Samples: base.Samples.map((s) => ({ ...s, Data: true })) })),
    /exactly one sample with Data: true, found 4/);
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, Regions: [...base.Regions, ...base.Regions] })),
    /Regions\[1\]\.Name: duplicate name "Signal_region"/);
  const sys = base.Systematics!;
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, Systematics: [{ ...sys[0]!, Up: { Symmetrize: true }, Down: { Symmetrize: true } }] })),
    /Systematics\[0\]: up and down variation of systematic "Scalefactor_variation" cannot both be symmetrized/);
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, Systematics: [{ ...sys[2]!, Samples: 'Background ZZ' }] })),
    /Systematics\[0\]\.Samples: unknown sample "Background ZZ"/);
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, Systematics: [{ ...sys[2]!, Down: {} }] })),
    /Systematics\[0\]\.Down\.Normalization: expected number/);
  assert.match(messageOf(() => validateCabinetryConfig({ ...base, NormFactors: [{ Name: 'mu', Bounds: [5, 0] }] })),
    /NormFactors\[0\]\.Bounds: lower bound must be below upper bound/);
});

test('353QH twice: an isolated spike is removed, a straight line is kept', () => {
  const flat = smooth353QHTwice([1, 1, 1, 5, 1, 1, 1]);
  assert.deepEqual(Array.from(flat), [1, 1, 1, 1, 1, 1, 1]);
  const line = [0.5, 1, 1.5, 2, 2.5, 3];
  Array.from(smooth353QHTwice(line)).forEach((v, i) => assert.ok(Math.abs(v - line[i]!) < 1e-12));
  assert.deepEqual(Array.from(smooth353QHTwice([3, 1])), [3, 1]);
});

test('353QH twice matches the reference values of cabinetry/ROOT TH1::SmoothArray', () => {
  // expected arrays from cabinetry's tests/test_smooth.py (checked there against ROOT)
  const cases: Array<[number[], number[]]> = [
    [[1, 3, 2, 5], [1, 2, 3.25, 5]],
    [[1, 3, 2, 5, 11, 3, 8], [1.0, 2.125, 3.66666675, 5.08333349, 6.16666651, 7.375, 8.0]],
    [[0.16505027, 0.9246096, 0.04765633, 0.36997846, 0.37872216], [0.16505027, 0.21628231, 0.31874642, 0.36997846, 0.36997846]],
    [[0.29093575, 0.9347465, 0.2972376, 0.61081952, -1], [0.29093575, 0.52901053, 0.47264278, -0.06587567, -1]],
  ];
  for (const [input, expected] of cases) {
    const out = smooth353QHTwice(input);
    expected.forEach((e, i) => assert.ok(Math.abs(out[i]! - e) <= 1e-5 * Math.abs(e) + 1e-8, `${input}: [${i}] ${out[i]} != ${e}`));
  }
});

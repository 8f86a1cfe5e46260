import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CorrectionSet, compileFormula, erf } from '../src/correctionlib/index.ts';

const AGC = new URL('../../shared/data/agc/corrections.json', import.meta.url).pathname;

test('AGC corrections.json loads; event_systematics evaluates by hand formulas', { skip: !existsSync(AGC) }, () => {
  const c = CorrectionSet.fromFile(AGC).get('event_systematics');
  const pt = Float64Array.of(20, 50, 123.4);
  assert.deepEqual(Array.from(c.evaluate('btag_var', 'up', pt)), Array.from(pt, (x) => 1.0 + (x * 0.075) / 50));
  assert.deepEqual(Array.from(c.evaluate('btag_var_3', 'down', pt)), Array.from(pt, (x) => 1.0 - (x * 0.075) / 50));
  assert.deepEqual(Array.from(c.evaluate('scale_var', 'up', pt)), [1.025, 1.025, 1.025]);
  assert.equal(c.evaluateScalar('scale_var', 'sideways', 3), 1.0); // inner default
  assert.equal(c.evaluateScalar('unknown', 'up', 3), 1.0); // outer default
  assert.throws(() => c.evaluate('scale_var', 'up'), /takes 3 inputs/);
});

const set = new CorrectionSet({
  schema_version: 2,
  corrections: [
    { name: 'bins', inputs: [{ name: 'x', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'binning', input: 'x', edges: [0, 10, 20, 50], content: [1, 2, 3], flow: 'clamp' } },
    { name: 'uniform', inputs: [{ name: 'x', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'binning', input: 'x', edges: { n: 4, low: 0, high: 8 }, content: [10, 11, 12, 13], flow: 99 } },
    { name: 'strict', inputs: [{ name: 'x', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'binning', input: 'x', edges: [0, 1], content: [5], flow: 'error' } },
    { name: 'multi', inputs: [{ name: 'eta', type: 'real' }, { name: 'pt', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'multibinning', inputs: ['eta', 'pt'], edges: [[-2.5, 0, 2.5], [20, 50, 100, 1000]], content: [1, 2, 3, 4, 5, 6], flow: 'clamp' } },
    { name: 'cat', inputs: [{ name: 'flav', type: 'int' }, { name: 'pt', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'category', input: 'flav', content: [
        { key: 5, value: { nodetype: 'formula', expression: '[0]*exp(-x/[1]) + TMath::Erf(x/100)', parser: 'TFormula', variables: ['pt'], parameters: [2, 40] } },
        { key: 4, value: { nodetype: 'formularef', index: 0, parameters: [3, 0.5] } },
      ], default: 0.5 },
      generic_formulas: [{ nodetype: 'formula', expression: '[0] + [1]*log10(x)^2', parser: 'TFormula', variables: ['pt'] }] },
    { name: 'transform', inputs: [{ name: 'x', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'transform', input: 'x', rule: { nodetype: 'formula', expression: 'abs(x)', parser: 'TFormula', variables: ['x'] },
        content: { nodetype: 'binning', input: 'x', edges: [0, 1, 2], content: [7, 8], flow: 'clamp' } } },
    { name: 'scale', inputs: [{ name: 'pt', type: 'real' }], output: { name: 'w', type: 'real' },
      data: { nodetype: 'formula', expression: '1.1', parser: 'TFormula', variables: [] } },
  ] as never,
  compound_corrections: [{ name: 'stack', inputs: [{ name: 'pt', type: 'real' }], output: { name: 'w', type: 'real' },
    inputs_update: ['pt'], input_op: '*', output_op: '*', stack: ['scale', 'scale'] }],
});

test('binning: edges, uniform, flow clamp/value/error', () => {
  assert.deepEqual(Array.from(set.get('bins').evaluate([-5, 0, 9.99, 10, 49, 50, 1e6])), [1, 1, 1, 2, 3, 3, 3]);
  assert.deepEqual(Array.from(set.get('uniform').evaluate([-1, 0, 1.99, 2, 7.9, 8])), [99, 10, 10, 11, 13, 99]);
  assert.throws(() => set.get('strict').evaluate([1]), /above/);
});

test('multibinning (row-major), category with int keys and default, formula and formularef', () => {
  assert.deepEqual(Array.from(set.get('multi').evaluate([-1, 1, 3, 1], [30, 60, 500, 5])), [1, 5, 6, 4]);
  const c = set.get('cat');
  const pt = 60;
  assert.ok(Math.abs(c.evaluateScalar(5, pt) - (2 * Math.exp(-pt / 40) + erf(pt / 100))) < 1e-12);
  assert.ok(Math.abs(c.evaluateScalar(4, pt) - (3 + 0.5 * Math.log10(pt) ** 2)) < 1e-12);
  assert.equal(c.evaluateScalar(0, pt), 0.5);
});

test('transform rewrites its input; compound corrections update inputs and combine outputs', () => {
  assert.deepEqual(Array.from(set.get('transform').evaluate([-1.5, 0.5])), [8, 7]);
  assert.ok(Math.abs(set.get('stack').evaluateScalar(10) - 1.21) < 1e-12);
});

test('TFormula expressions: precedence, power, functions', () => {
  const f = (e: string, x = 2, p: number[] = []) => compileFormula(e).fn(x, 0, 0, 0, p);
  assert.equal(f('-x^2'), -4);
  assert.equal(f('2^3^2'), 512);
  assert.equal(f('1+2*3-4/2'), 5);
  assert.equal(f('max(x, 3) + min(x, 3)'), 5);
  assert.equal(f('(x > 1) * 10 + (x < 1)'), 10);
  assert.equal(f('[0]*x+[1]', 3, [2, 1]), 7);
  assert.ok(Math.abs(f('TMath::Sqrt(x)*sqrt(x)') - 2) < 1e-15);
  assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 2e-7);
  assert.throws(() => compileFormula('x +* 2'), /formula/);
  assert.throws(() => compileFormula('process.exit(1)'), /unknown function or variable/);
});

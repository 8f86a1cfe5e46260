// `flow fit|limit|inspect` as processes: output keys of DESIGN section 6, values against a pyhf
// reference, one-line errors with exit code 2 for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const refFile = join(root, '..', 'shared', 'refs', 'pyhf', 'validation_1bin_lumi.json');
const run = (args: string[]) => spawnSync(process.execPath, [join(root, 'cli.ts'), ...args], { encoding: 'utf8' });

test('flow fit --json and flow limit --json reproduce pyhf on a reference workspace', { skip: !existsSync(refFile) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stats-cli-'));
  try {
    const c = JSON.parse(readFileSync(refFile, 'utf8'));
    const path = join(dir, 'ws.json');
    writeFileSync(path, JSON.stringify(c.workspace));
    const f = run(['fit', path, '--measurement', c.measurement, '--json']);
    assert.equal(f.status, 0, f.stderr);
    const fit = JSON.parse(f.stdout);
    assert.deepEqual(Object.keys(fit).slice(0, 6), ['bestfit', 'uncertainty', 'twice_nll', 'correlation', 'par_names', 'converged']);
    assert.deepEqual(fit.par_names, c.reference.par_names);
    assert.ok(Math.abs(fit.twice_nll - c.reference.mle.twice_nll) < 1e-3);
    assert.ok(Math.abs(fit.uncertainty.lumi - c.reference.mle.uncertainty[0]) < 0.01 * c.reference.mle.uncertainty[0]);
    const l = run(['limit', path, '--json']);
    assert.equal(l.status, 0, l.stderr);
    const lim = JSON.parse(l.stdout);
    assert.ok(Math.abs(lim.cls_obs - c.reference.hypotest_mu1.cls_obs) < 1e-3);
    assert.equal(lim.cls_exp.length, 5);
    assert.ok(Math.abs(lim.upper_limit_obs - c.reference.upper_limit.obs) < 0.01 * c.reference.upper_limit.obs);
    assert.equal(lim.upper_limit_exp.length, 5);
    const i = run(['inspect', path]);
    assert.equal(i.status, 0, i.stderr);
    assert.match(i.stdout, /lumi/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one-line errors and exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stats-cli-'));
  try {
    const missing = run(['fit', join(dir, 'nope.json'), '--json']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read workspace/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"channels": [');
    const r = run(['fit', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not valid JSON/);
    writeFileSync(bad, JSON.stringify({ version: '1.0.0', channels: [{ name: 'c', samples: [{ name: 's', data: [1], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] }] }], observations: [{ name: 'c', data: [1] }], measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }] }));
    const m = run(['limit', bad, '--measurement', 'other']);
    assert.equal(m.status, 2);
    assert.match(m.stderr, /measurement 'other' not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

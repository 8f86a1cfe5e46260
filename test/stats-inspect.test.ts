// `flow inspect` counts as `pyhf inspect` does: parameters = pyhf's parameter sets (its par_names
// without the [i] of vector parameters), modifiers = distinct modifier names; the per-bin counts on
// an extra line (pyhf's n_parameters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { inspectCounts } from '../src/cli/inspect.ts';
import { REFS, ROOT, withTempDir } from './nodes-fixtures.ts';

const cases = existsSync(REFS) ? readdirSync(REFS).filter((f) => f.endsWith('.json')) : [];

test('parameter counts equal pyhf parameter sets on every shared reference workspace', { skip: cases.length === 0 }, () => {
  let checked = 0;
  for (const f of cases) {
    const c = JSON.parse(readFileSync(join(REFS, f), 'utf8'));
    if (!c.reference?.par_names) continue;
    const ws = loadWorkspace(c.workspace);
    const model = buildModel(ws, c.measurement);
    const pyhfSets = new Set((c.reference.par_names as string[]).map((p) => p.replace(/\[\d+\]$/, '')));
    const counts = inspectCounts(ws, model);
    assert.equal(counts.parameters, pyhfSets.size, `${f}: parameter sets`);
    assert.equal(model.nPars, c.reference.n_parameters, `${f}: per-bin parameters`);
    // every parameter set is a modifier name and every modifier name a parameter set here
    assert.equal(counts.modifiers, pyhfSets.size, `${f}: modifiers`);
    checked++;
  }
  assert.ok(checked >= 15, `${checked} references checked`);
});

test('flow inspect prints the pyhf-style summary line and the per-bin detail', { skip: cases.length === 0 }, async () => {
  await withTempDir(async (dir) => {
    const c = JSON.parse(readFileSync(join(REFS, 'sbottom_regionA_1300_205_60.json'), 'utf8'));
    const path = join(dir, 'ws.json');
    writeFileSync(path, JSON.stringify(c.workspace));
    const r = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'inspect', path], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sets = new Set((c.reference.par_names as string[]).map((p) => p.replace(/\[\d+\]$/, ''))).size;
    const m = /channels (\d+), samples (\d+), parameters (\d+), modifiers (\d+), bins (\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[3]), sets);
    assert.equal(Number(m[5]), c.reference.nbins_total);
    assert.match(r.stdout, new RegExp(`per bin: ${c.reference.n_parameters} parameters`));
    // a systematic that is a histosys and a normsys of one name (cabinetry's NormPlusShape) says both
    const types = new Map<string, Set<string>>();
    for (const ch of c.workspace.channels) for (const s of ch.samples) for (const m of s.modifiers) (types.get(m.name) ?? types.set(m.name, new Set()).get(m.name)!).add(m.type);
    const both = [...types].filter(([, t]) => t.size === 2 && t.has('histosys') && t.has('normsys')).map(([n]) => n);
    assert.ok(both.length > 0);
    for (const name of both) assert.match(r.stdout, new RegExp(`^  ${name} +histosys\\+normsys +1 `, 'm'), name);
    const lumi = [...types].find(([, t]) => t.size === 1 && t.has('normsys'))?.[0];
    if (lumi) assert.match(r.stdout, new RegExp(`^  ${lumi} +normsys +1 `, 'm'));
  });
});

// Patchsets as pyhf reads them: digests as pyhf.utils.digest computes them (reference values from
// Python: hashlib.sha256(json.dumps(ws, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
// on the shared reference workspaces), JSON Patch semantics, and the sbottom signal point rebuilt
// from a background-only workspace + patch giving pyhf's reference CLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePythonJson, plainJson, pythonDumps, pythonFloatRepr } from '../src/stats/patchset/python-json.ts';
import { applyJsonPatch } from '../src/stats/patchset/json-patch.ts';
import { loadPatchSet } from '../src/stats/patchset/patchset.ts';
import { main } from '../src/cli/patchset.ts';
import { buildModel } from '../src/stats/model.ts';
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import { createHash } from 'node:crypto';

const ref = (name: string) => new URL(`../../shared/refs/pyhf/${name}.json`, import.meta.url).pathname;
const digest = (tree: unknown, alg: string) => createHash(alg).update(pythonDumps(tree), 'utf8').digest('hex');
const workspaceTree = (name: string) => (parsePythonJson(readFileSync(ref(name), 'utf8')) as { workspace: unknown }).workspace;

test('digests equal pyhf.utils.digest (Python json.dumps, sort_keys) of the reference workspaces', () => {
  assert.equal(digest(workspaceTree('sbottom_regionA_1300_205_60'), 'sha256'), '346403b71abb18751b6c4e484d1c19ee4945bc46fc961197a74ecddf69d9c6af');
  assert.equal(digest(workspaceTree('sbottom_regionA_1300_205_60'), 'md5'), 'cf8ecfafacf5a757ea029c54883c904a');
  assert.equal(digest(workspaceTree('xmlimport_input_gaussexample'), 'sha256'), '343770eb5cce7dad7428fc13b16e1cc39830b71501890b7c9747f9794a9371ba');
  assert.equal(digest(workspaceTree('validation_1bin_normsys'), 'sha256'), 'e2a0d69be509b28e71c699dee3c2cda1c21a81a0ce58cdfd88ed5deb171b16b8');
  // Python's repr(float) for each form (values printed by python3)
  const cases: Array<[number, string]> = [[1e-5, '1e-05'], [1e-4, '0.0001'], [0.5, '0.5'], [1e16, '1e+16'], [1e15, '1000000000000000.0'],
    [123.456, '123.456'], [1.5e-7, '1.5e-07'], [2.5e20, '2.5e+20'], [-3, '-3.0'], [1 / 3, '0.3333333333333333']];
  for (const [x, py] of cases) assert.equal(pythonFloatRepr(x), py);
  assert.equal(pythonDumps(parsePythonJson('{"b": [1, 1.0, 2e3], "a": "é"}')), '{"a": "é", "b": [1, 1.0, 2000.0]}');
});

test('JSON Patch: add (also at "-"), remove, replace, move, copy, test, escaped pointers', () => {
  const doc = { a: [1, 2], 'x/y': { '~k': 1 } };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/a/-', value: 3 }, { op: 'add', path: '/a/0', value: 0 }, { op: 'replace', path: '/x~1y/~0k', value: 2 },
    { op: 'copy', from: '/a', path: '/b' }, { op: 'move', from: '/b/3', path: '/c' }, { op: 'remove', path: '/a/1' },
    { op: 'test', path: '/c', value: 3 },
  ]);
  assert.deepEqual(out, { a: [0, 2, 3], 'x/y': { '~k': 2 }, b: [0, 1, 2], c: 3 });
  assert.deepEqual(doc, { a: [1, 2], 'x/y': { '~k': 1 } }, 'the input is not modified');
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/0', value: 5 }]), /operation 0 \(test \/a\/0\): test failed/);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), /no member 'nope' to replace/);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/5', value: 1 }]), /index 5 is out of range/);
});

/** The sbottom point as a background-only workspace (signal sample removed) and a two-point patchset. */
function sbottomGrid(dir: string) {
  const full = workspaceTree('sbottom_regionA_1300_205_60') as { channels: Array<{ samples: unknown[] }> };
  const bkg = workspaceTree('sbottom_regionA_1300_205_60') as typeof full; // (structuredClone would drop the number classes)
  const signals = bkg.channels.map((c) => plainJson(c.samples.shift()));
  const bkgText = pythonDumps(bkg);
  const doubled = (s: unknown) => {
    const t = JSON.parse(JSON.stringify(s)) as { data: number[] };
    return { ...t, data: t.data.map((x) => 2 * x) };
  };
  const point = (name: string, values: number[], f: (s: unknown) => unknown) => ({
    metadata: { name, values },
    patch: signals.map((s, c) => ({ op: 'add', path: `/channels/${c}/samples/0`, value: f(JSON.parse(JSON.stringify(s))) })),
  });
  const patchset = {
    version: '1.0.0',
    metadata: {
      description: 'sbottom signal points (test)', references: { hepdata: 'ins1748602' }, labels: ['m_sb', 'm_chi2', 'm_chi1'],
      digests: { sha256: createHash('sha256').update(bkgText).digest('hex'), md5: createHash('md5').update(bkgText).digest('hex') },
    },
    patches: [point('sbottom_1300_205_60', [1300, 205, 60], (s) => s), point('sbottom_x2', [1300, 205, 61], doubled)],
  };
  writeFileSync(join(dir, 'bkg.json'), bkgText);
  writeFileSync(join(dir, 'patchset.json'), JSON.stringify(patchset));
  return { full: plainJson(full) as any, patchset };
}

async function capture(fn: () => Promise<number>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  // the test runner's own messages to its parent (binary chunks) pass through
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) => (typeof c === 'string' ? ((out += c), true) : write(c, ...rest))) as typeof process.stdout.write;
  try { assert.equal(await fn(), 0); } finally { process.stdout.write = write; }
  return out;
}

test('flow patchset apply rebuilds the sbottom signal point: the same workspace, pyhf\'s CLs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-patchset-'));
  try {
    const { full } = sbottomGrid(dir);
    const out = join(dir, 'signal.json');
    await main(['apply', join(dir, 'bkg.json'), join(dir, 'patchset.json'), '--values', '1300,205,60', '--output-file', out]);
    const patched = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(patched, full);
    const reference = JSON.parse(readFileSync(ref('sbottom_regionA_1300_205_60'), 'utf8'));
    const h = hypotestAt(hypotestContext(buildModel(patched)), 1);
    assert.ok(Math.abs(h.clsObs - reference.reference.hypotest_mu1.cls_obs) < 1e-3, `CLs ${h.clsObs}`);

    // by name, the other point: the signal doubled in every bin of both channels
    await main(['apply', join(dir, 'bkg.json'), join(dir, 'patchset.json'), '--name', 'sbottom_x2', '--output-file', out]);
    const x2 = JSON.parse(readFileSync(out, 'utf8'));
    for (const c of [0, 1]) assert.deepEqual(x2.channels[c].samples[0].data, full.channels[c].samples[0].data.map((v: number) => 2 * v));

    const listing = await capture(() => main(['inspect', join(dir, 'patchset.json')]));
    assert.match(listing, /2 patches found in Patchset\n-+\n\nsbottom_1300_205_60\nsbottom_x2\n/);
    const info = JSON.parse(await capture(() => main(['inspect', join(dir, 'patchset.json'), '--json'])));
    assert.deepEqual(info.patches, [{ name: 'sbottom_1300_205_60', values: [1300, 205, 60] }, { name: 'sbottom_x2', values: [1300, 205, 61] }]);
    assert.equal(await capture(() => main(['verify', join(dir, 'bkg.json'), join(dir, 'patchset.json')])), 'All good.\n');
    const ops = JSON.parse(await capture(() => main(['extract', join(dir, 'patchset.json'), '--name', 'sbottom_x2'])));
    assert.deepEqual(ops.map((o: { op: string; path: string }) => `${o.op} ${o.path}`), ['add /channels/0/samples/0', 'add /channels/1/samples/0']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('patchsets: another workspace, unknown patches and invalid patchsets fail in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-patchset-'));
  try {
    const { patchset } = sbottomGrid(dir);
    // the full workspace is not the background-only one the digests were made for
    await assert.rejects(main(['apply', ref('validation_1bin_normsys'), join(dir, 'patchset.json'), '--name', 'sbottom_x2']),
      /validation_1bin_normsys\.json: the (sha256|md5) digest is [0-9a-f]+, the patchset .* was made for [0-9a-f]+/);
    await assert.rejects(main(['apply', join(dir, 'bkg.json'), join(dir, 'patchset.json'), '--name', 'nope']), /no patch 'nope' \(2 patches/);
    await assert.rejects(main(['apply', join(dir, 'bkg.json'), join(dir, 'patchset.json')]), /give one of --name NAME or --values/);
    const bad = (mutate: (p: any) => void) => { const p = structuredClone(patchset) as any; mutate(p); return loadPatchSet(p, 'ps.json'); };
    assert.throws(() => bad((p) => { delete p.version; }), /ps\.json: version: .*pyhf patchset schema/);
    assert.throws(() => bad((p) => { p.patches[1].metadata.name = p.patches[0].metadata.name; }), /patch 'sbottom_1300_205_60' is defined more than once/);
    assert.throws(() => bad((p) => { p.patches[1].metadata.values = [1300, 205, 60]; }), /values \[1300,205,60\] are those of another patch/);
    assert.throws(() => bad((p) => { p.patches[0].metadata.values = [1300]; }), /has 1 values for 3 labels/);
    assert.throws(() => bad((p) => { p.patches = []; }), /patches: /);
    assert.throws(() => bad((p) => { p.metadata.references = { hepdata: 'ins12' }; }), /metadata\.references\.hepdata/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// Reading a field that is not a column is an error naming the field and the closest columns (never
// `undefined`, which turned `e.nMuons >= 1` into "0 events, ok"): skim's `where` and `mask`, the
// Events of select and fill, and `flow run` reporting the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import skim from '../nodes/skim.ts';
import { Events } from '../src/columnar/events.ts';
import { fingerprintLocal } from '../cache/fingerprint.ts';
import type { ChunkContext, ChunkSpec } from '../src/engine/node-kind.ts';
import { UserError } from '../src/errors.ts';
import { flow, ROOT, tempDir } from './engine/harness.ts';

const FILE = resolve(ROOT, '../shared/data/root/uproot-HZZ-zlib.root');

async function runSkim(params: Record<string, unknown>) {
  const file = { path: FILE, sample: 'zz', process: 'zz', variation: 'nominal', fingerprint: await fingerprintLocal(FILE) };
  const chunk: ChunkSpec = { id: 'c', file, tree: 'events', start: 0, stop: 100 };
  const ctx = { graph: 'g', node: 'skim', chunk, seed: 1, log() {}, warn() {}, signal: new AbortController().signal } as ChunkContext;
  return skim.runChunk(undefined, skim.params.parse(params), ctx);
}

const userError = (re: RegExp) => (err: unknown) => {
  assert.ok(err instanceof UserError, String(err));
  assert.match(err.message, re);
  return true;
};

test('skim where: a misspelt field names the closest branches', async () => {
  const ok = await runSkim({ tree: 'events', branches: ['NMuon', 'Muon_Px'], where: (e: any) => e.NMuon >= 1 });
  assert.ok(ok.entries > 0 && ok.entries < 100);
  await assert.rejects(runSkim({ tree: 'events', branches: ['NMuon', 'Muon_Px'], where: (e: any) => e.nMuons >= 1 }),
    userError(/^where: field 'nMuons' is not in the chunk \(did you mean 'NMuon'/));
});

test('skim where: a branch of the tree that is not listed says so', async () => {
  await assert.rejects(runSkim({ tree: 'events', branches: ['NMuon'], where: (e: any) => e.NJet >= 1 }),
    userError(/^where: field 'NJet' is not in the chunk: a branch of tree 'events' that is not in the skim's branches \(add it there\)$/));
});

test('skim mask: batch.columns of a missing name throws; present columns are untouched', async () => {
  await assert.rejects(runSkim({ tree: 'events', branches: ['NMuon'], mask: (b: any) => b.columns.NMuons }), userError(/mask: column 'NMuons'.*did you mean 'NMuon'/));
  const ok = await runSkim({ tree: 'events', branches: ['NMuon'], mask: (b: any) => Array.from(b.columns.NMuon, (n: number) => n >= 1) });
  assert.ok(ok.entries > 0 && ok.entries < 100);
  assert.deepEqual(Object.keys(ok.columns), ['NMuon']);
});

test('Events (select, fill): col, jag and batch.columns of a missing name throw with close names', () => {
  const ev = new Events({ entries: 2, columns: { nMuon: new Int32Array([1, 2]), Muon_pt: { offsets: new Int32Array([0, 1, 3]), content: new Float32Array([5, 6, 7]) } } });
  assert.throws(() => ev.col('nMuons'), userError(/^column 'nMuons' is not in the chunk \(did you mean 'nMuon'\?\); columns come from the skim's branches$/));
  assert.throws(() => ev.jag('Muon_ptt'), userError(/did you mean 'Muon_pt'/));
  assert.throws(() => (ev.batch.columns as any).nMuons, userError(/did you mean 'nMuon'/));
  assert.throws(() => (ev.filter([1, 0]).batch.columns as any).nMuons, userError(/did you mean 'nMuon'/));
  assert.throws(() => ev.collection('Muons'), userError(/^no jagged 'Muons_\*' columns in the chunk for collection Muons \(did you mean 'Muon'\?\)$/));
  // what is there still reads, including through a filtered view, and `in`/has/keys see only columns
  assert.deepEqual(Array.from(ev.filter([0, 1]).col('nMuon')), [2]);
  assert.equal(ev.has('nMuons'), false);
  assert.equal('toString' in ev.batch.columns, false);
  assert.deepEqual(Object.keys(ev.batch.columns), ['nMuon', 'Muon_pt']);
  assert.equal(JSON.stringify({ n: 1 }), '{"n":1}');
  assert.doesNotThrow(() => String(ev.batch.columns) + JSON.stringify(ev.batch.columns));
});

test('flow run: a typo in where fails the skim node (not "ok" with 0 events)', async () => {
  const dir = tempDir('missing-field');
  writeFileSync(join(dir, 'g.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('typo', (g) => {
  const files = g.fetch('inputs', { files: ${JSON.stringify(FILE)} });
  g.skim('muons', files, { tree: 'events', branches: ['NMuon'], where: (e) => e.nMuons >= 1 });
});
`);
  const r = await flow(['run', 'g.ts', '--ui', 'plain', '--no-cache', '--out', 'out', '--workers', '0'], dir);
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stdout + r.stderr, /node 'muons' \(skim\): where: field 'nMuons' is not in the chunk \(did you mean 'NMuon'/);
});

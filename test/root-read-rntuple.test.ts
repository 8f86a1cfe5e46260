// RNTuple reading (CMS NanoAOD importer file) against jsroot's own RNTuple decoding of the same
// pages, plus consistency between cardinality fields and collection lengths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openFile } from 'jsroot/io';
import { readHeaderFooter, rntupleProcess } from 'jsroot/rntuple';
import { TSelector } from 'jsroot/tree';
import { openRootFile } from '../src/root/read/index.ts';
import { decompressRoot } from '../src/root/decompress.ts';
import { isJagged, type NumericArray } from '../src/columns.ts';
import { UserError } from '../src/errors.ts';

const file = path.resolve(import.meta.dirname, '../../shared/data/root/cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root');

/** jsroot's per-entry values of top-level fields. Its ZSTD page decompression (zstd-js) fails
 *  under Node, so pages are handed to it already decompressed; jsroot still decodes them (split
 *  and zigzag encodings, bit columns) with its own code. */
async function jsrootValues(fields: string[]): Promise<Record<string, unknown[]>> {
  const f: any = await openFile(file);
  const original = f.readBuffer.bind(f);
  const unzip = async (dv: DataView): Promise<DataView> => {
    const b = new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
    let p = 0, total = 0;
    while (p + 9 <= b.length && ['ZS', 'ZL', 'L4', 'XZ'].includes(String.fromCharCode(b[p]!, b[p + 1]!))) {
      total += b[p + 6]! | (b[p + 7]! << 8) | (b[p + 8]! << 16);
      p += 9 + (b[p + 3]! | (b[p + 4]! << 8) | (b[p + 5]! << 16));
    }
    if (p === 0 || p !== b.length) return dv;
    const out = await decompressRoot(b, total, 'page');
    return new DataView(out.buffer, out.byteOffset, out.byteLength);
  };
  f.readBuffer = async (...args: unknown[]) => {
    const r = await original(...args);
    return Array.isArray(r) ? Promise.all(r.map(unzip)) : unzip(r);
  };
  const anchor = await f.readObject('Events');
  await readHeaderFooter(anchor);
  const out: Record<string, unknown[]> = Object.fromEntries(fields.map((x) => [x, []]));
  const sel = new (TSelector as any)();
  fields.forEach((x, i) => sel.addBranch(x, `v${i}`));
  sel.Process = function (this: any) { fields.forEach((x, i) => out[x]!.push(this.tgtobj[`v${i}`])); };
  await rntupleProcess(anchor, sel, {});
  return out;
}

test('RNTuple scalar fields agree with jsroot', async () => {
  const fields = ['run', 'event', 'MET_pt', 'PV_npvs', 'HLT_IsoMu20', 'Flag_goodVertices', 'fixedGridRhoFastjetAll', 'luminosityBlock'];
  const ref = await jsrootValues(fields);
  const f = await openRootFile(file);
  const t = await f.tree('Events');
  assert.equal(t.entries, 10);
  const batch = await t.read(fields);
  for (const name of fields) {
    const c = batch.columns[name]!;
    assert.ok(!isJagged(c));
    assert.deepEqual(Array.from(c as NumericArray, Number), ref[name]!.map(Number), name);
  }
  await f.close();
});

test('RNTuple collections: element columns agree with jsroot, cardinalities with lengths', async () => {
  // jsroot resolves 'Jet_pt' to the collection's float sub-field and reads it one element per
  // entry: the first 10 flattened values
  const ref = await jsrootValues(['Jet_pt', 'Jet_eta', 'Jet_jetId']);
  const f = await openRootFile(file);
  const t = await f.tree('Events');
  const batch = await t.read(['Jet_pt', 'Jet_eta', 'Jet_jetId', 'nJet', 'Muon_pt', 'nMuon']);
  for (const name of ['Jet_pt', 'Jet_eta', 'Jet_jetId']) {
    const c = batch.columns[name]!;
    assert.ok(isJagged(c));
    assert.deepEqual(Array.from(c.content.subarray(0, 10) as NumericArray, Number), ref[name]!.map(Number), name);
  }
  for (const [counter, coll] of [['nJet', 'Jet_pt'], ['nMuon', 'Muon_pt']]) {
    const n = batch.columns[counter!] as Uint32Array;
    const c = batch.columns[coll!]!;
    assert.ok(isJagged(c));
    assert.deepEqual(Array.from(n), Array.from(c.offsets.subarray(1), (o, i) => o - c.offsets[i]!), `${counter} vs ${coll}`);
  }
  // entry ranges slice the same values
  const part = await t.read(['Jet_pt'], { start: 3, stop: 7 });
  const whole = batch.columns.Jet_pt!;
  assert.ok(isJagged(whole));
  const p = part.columns.Jet_pt!;
  assert.ok(isJagged(p));
  assert.deepEqual(p.content, whole.content.subarray(whole.offsets[3], whole.offsets[7]));
  await assert.rejects(t.read(['_collection0']), (e: unknown) => e instanceof UserError && /not supported/.test(e.message));
  await f.close();
});

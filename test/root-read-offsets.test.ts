// Entry offsets decoded in the column builder's own pass (WebAssembly for long runs, JavaScript
// for short ones): values against an independent DataView computation, and a basket whose stored
// offsets go backwards is reported with file, branch, basket and entry.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFile } from 'jsroot/io';
import { convertEntryOffsets, stagingArea } from '../src/root/bswap-wasm.ts';
import { parseBasketKey } from '../src/root/read/basket.ts';
import { openRootFile } from '../src/root/read/index.ts';
import { UserError } from '../src/errors.ts';

const dataDir = path.resolve(import.meta.dirname, '../../shared/data/root');

function bigEndian(values: number[]): Uint8Array {
  const b = new Uint8Array(4 * values.length);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt32(4 * i, x));
  return b;
}

test('convertEntryOffsets matches a DataView loop and stops at the first decrease', () => {
  let x = 12345;
  const starts: number[] = [];
  let at = 1000;
  for (let i = 0; i < 5000; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; at += 4 * (x % 9); starts.push(at); }
  const src = bigEndian(starts);
  const out = new Int32Array(starts.length + 3);
  const add = -1000 + 40, shift = 2;
  assert.equal(convertEntryOffsets(src, 1000, add, shift, out, 2), -1);
  const view = new DataView(src.buffer);
  for (let i = 0; i < starts.length; i++) assert.equal(out[2 + i], (view.getInt32(4 * i) + add) >> shift);
  assert.equal(out[0], 0);
  assert.equal(convertEntryOffsets(src, starts[0]! + 1, add, shift, out, 0), 0); // below `prev`
  const bad = [...starts];
  bad[3210] = bad[3209]! - 4;
  assert.equal(convertEntryOffsets(bigEndian(bad), 1000, add, shift, new Int32Array(bad.length), 0), 3210);
});

test('convertEntryOffsets in place in the staging area gives the same values', () => {
  const starts = Array.from({ length: 3001 }, (_, i) => 500 + 8 * i + 4 * (i % 2));
  const src = bigEndian(starts);
  const expected = new Int32Array(starts.length);
  assert.equal(convertEntryOffsets(src, 0, 8, 2, expected, 0), -1); // on a copy
  for (const at of [0, 4, 1024]) {
    const area = stagingArea(at + src.length + 64);
    area.set(src, at);
    const out = new Int32Array(starts.length);
    assert.equal(convertEntryOffsets(area.subarray(at, at + src.length), 0, 8, 2, out, 0), -1);
    assert.deepEqual(out, expected);
  }
  const area = stagingArea(src.length + 64);
  const bad = [...starts];
  bad[77] = 0;
  area.set(bigEndian(bad), 0);
  assert.equal(convertEntryOffsets(area.subarray(0, src.length), 0, 8, 2, new Int32Array(bad.length), 0), 77);
});

test('stored entry offsets that go backwards are reported, whichever path decodes them', async () => {
  const src = path.join(dataDir, 'uproot-HZZ-uncompressed.root');
  const jf = await openFile(src);
  const tree = await jf.readObject('events');
  const branch = tree.fBranches.arr.find((b: any) => b.fName === 'Muon_Px');
  const seek = Number(branch.fBasketSeek[0]);
  const original = fs.readFileSync(src);
  const key = parseBasketKey(original.subarray(seek, seek + Number(branch.fBasketBytes[0])));
  const nev = key.nevbuf;
  assert.ok(nev > 200 && Number(branch.fBasketEntry[1]) === nev, 'basket 0 of Muon_Px holds entries 0..nevbuf');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-offsets-'));
  try {
    // [damaged entry, range read]: the whole basket (WebAssembly pass), its last 20 entries
    // (JavaScript pass), 20 entries inside it (the basket is kept for the next read: decoded whole)
    for (const [entry, range] of [[150, undefined], [nev - 10, { start: nev - 20, stop: nev }], [150, { start: 140, stop: 160 }]] as const) {
      const buf = Buffer.from(original);
      // the offset array follows the payload: a count, then one big-endian start per entry
      const at = seek + key.last + 4 + 4 * entry;
      buf.writeInt32BE(buf.readInt32BE(at - 4) - 8, at);
      const p = path.join(tmp, 'backwards.root');
      fs.writeFileSync(p, buf);
      const f = await openRootFile(p);
      const t = await f.tree('events');
      await assert.rejects(t.read(['Muon_Px'], range), (err: Error) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /backwards\.root: tree 'events', branch 'Muon_Px', basket 0/);
        assert.match(err.message, new RegExp(`entry offsets decrease at entry ${entry}`));
        return true;
      });
      await f.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

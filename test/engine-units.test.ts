// Unit tests of engine pieces: cache codecs, key composition, --set parsing, the fetch node on the
// AGC fileset, and the skim filter on jagged columns (against straightforward per-event loops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { eventBatchCodec, structuredCodec } from '../src/engine/codecs.ts';
import { chunkKey, nodeBase } from '../src/engine/keys.ts';
import { parseGraphParams } from '../src/engine/params.ts';
import fetchKind from '../nodes/fetch.ts';
import { filterBatch } from '../src/columnar/filter.ts';
import type { NodeContext } from '../src/engine/node-kind.ts';
import { ROOT } from './engine/harness.ts';

test('EventBatch Arrow codec round-trips flat, jagged, int64 and meta', () => {
  const batch = {
    entries: 3,
    columns: {
      pt: { offsets: new Int32Array([0, 2, 2, 5]), content: new Float32Array([1.5, 2, 3, 4, 5]) },
      n: new Int32Array([2, 0, 3]),
      id: new BigInt64Array([1n, -2n, 3n]),
      w: new Float64Array([0.1, 0.2, 0.3]),
      pass: new Uint8Array([1, 0, 1]),
    },
    meta: { cutflow: { all: 3 } },
  };
  const enc = eventBatchCodec.encode(batch);
  const back = eventBatchCodec.decode(JSON.parse(JSON.stringify(enc.meta)), enc.payloads.map((p) => p.slice()));
  assert.equal(back.entries, 3);
  assert.deepEqual(back.meta, batch.meta);
  const pt = back.columns.pt as { offsets: Int32Array; content: Float32Array };
  assert.deepEqual(Array.from(pt.offsets), [0, 2, 2, 5]);
  assert.ok(pt.content instanceof Float32Array);
  assert.deepEqual(Array.from(pt.content), [1.5, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(back.columns.n as Int32Array), [2, 0, 3]);
  assert.deepEqual(Array.from(back.columns.id as BigInt64Array), [1n, -2n, 3n]);
  assert.deepEqual(Array.from(back.columns.w as Float64Array), [0.1, 0.2, 0.3]);
  assert.ok(back.columns.pass instanceof Uint8Array);
  // same input, same bytes (output hashes must be stable)
  assert.deepEqual(eventBatchCodec.encode(batch).payloads[0], enc.payloads[0]);
});

test('structured codec keeps typed arrays exact and escapes $ keys', () => {
  const v = { name: 'h', $odd: 1, storage: new Float64Array([1e-300, Math.PI, -0]), nested: [{ c: new Int32Array([7]) }] };
  const enc = structuredCodec.encode(v);
  const back = structuredCodec.decode(JSON.parse(JSON.stringify(enc.meta)), enc.payloads.map((p) => p.slice(0)));
  assert.deepEqual(back, v);
});

test('keys: params vs code vs captured graph params', () => {
  const a = nodeBase('fill', '1', { bins: 3, f: (x: number) => x * 2 });
  const b = nodeBase('fill', '1', { bins: 4, f: (x: number) => x * 2 });
  const c = nodeBase('fill', '1', { bins: 3, f: (x: number) => x * 3 });
  const d = nodeBase('fill', '1', { bins: 3, f: (x: number) =>   x * 2 /* comment */ });
  assert.notEqual(a.params, b.params);
  assert.equal(a.code, b.code);
  assert.equal(a.params, c.params);
  assert.notEqual(a.code, c.code);
  assert.equal(a.hash, d.hash);
  const where = { f: (e: { n: number }) => e.n >= p.min };
  const p = { min: 2, other: 5 };
  const w2 = nodeBase('skim', '1', where, { min: 2, other: 5 });
  const w3 = nodeBase('skim', '1', where, { min: 3, other: 5 });
  const w4 = nodeBase('skim', '1', where, { min: 2, other: 6 });
  assert.notEqual(w2.params, w3.params, 'a graph param read by the function is part of the key');
  assert.equal(w2.params, w4.params, 'unrelated graph params are not');
  assert.notEqual(chunkKey(a, 'c1', 'h'), chunkKey(a, 'c1', 'h2'));
  assert.notEqual(chunkKey(a, 'c1', 'h'), chunkKey(a, 'c2', 'h'));
});

test('--set coercion follows the schema', () => {
  const s = z.object({ n: z.number().int(), on: z.boolean().default(false), tags: z.array(z.string()).default([]), name: z.string().optional() });
  assert.deepEqual(parseGraphParams(s, { n: '5', on: 'yes', tags: 'a,b', name: '007' }, 'g.ts'), { n: 5, on: true, tags: ['a', 'b'], name: '007' });
  assert.throws(() => parseGraphParams(s, { n: '1.5' }, 'g.ts'), /: g\.ts: --set n: expected an integer, got "1\.5"$/);
});

test('fetch reads the AGC fileset: samples, variations, nevts, limits', async () => {
  const logs: string[] = [];
  const ctx = { graph: 'g', node: 'inputs', log: () => {}, warn: (m: string) => logs.push(m), signal: new AbortController().signal, progress() {}, memo: async (_k: unknown, f: () => unknown) => f(), workers: 1 } as unknown as NodeContext;
  const path = resolve(ROOT, '../shared/data/agc/nanoaod_inputs.json');
  const params = fetchKind.params.parse({ fileset: path, maxFilesPerSample: 2, variations: ['nominal', 'scaledown'], remote: 'url', xsec: { ttbar: 729.84 } });
  const fs = await fetchKind.run([], params, ctx);
  const raw = JSON.parse(readFileSync(path, 'utf8'));
  const expected: Array<[string, string, string, number]> = [];
  for (const [sample, vars] of Object.entries<any>(raw)) {
    for (const [variation, spec] of Object.entries<any>(vars)) {
      if (variation !== 'nominal' && variation !== 'scaledown') continue;
      for (const f of spec.files.slice(0, 2)) expected.push([sample, variation, f.path, f.nevts]);
    }
  }
  assert.deepEqual(fs.files.map((f) => [f.sample, f.variation, f.path, f.nevts]), expected);
  const tt = fs.files.find((f) => f.sample === 'ttbar' && f.variation === 'nominal')!;
  assert.equal(tt.xsec, 729.84);
  assert.equal(tt.metadata?.nevts_total, raw.ttbar.nominal.nevts_total);
  assert.deepEqual(tt.fingerprint, { kind: 'https', url: tt.path });
});

test('skim filter keeps whole events in flat, fixed-size and jagged columns', () => {
  const batch = {
    entries: 4,
    columns: {
      a: new Float64Array([10, 11, 12, 13]),
      v3: { shape: [3], content: new Float32Array([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]) }, // 3 values per entry
      j: { offsets: new Int32Array([0, 1, 1, 4, 6]), content: new Int16Array([1, 2, 3, 4, 5, 6]) },
    },
  };
  const keep = [1, 0, 1, 0];
  const out = filterBatch(batch, keep);
  assert.equal(out.entries, 2);
  assert.deepEqual(Array.from(out.columns.a as Float64Array), [10, 12]);
  assert.deepEqual(Array.from((out.columns.v3 as { content: Float32Array }).content), [0, 1, 2, 20, 21, 22]);
  const j = out.columns.j as { offsets: Int32Array; content: Int16Array };
  assert.deepEqual(Array.from(j.offsets), [0, 1, 4]);
  assert.deepEqual(Array.from(j.content), [1, 2, 3, 4]);
  assert.ok(j.content instanceof Int16Array);
});

test('flow graph: text and dot views of the validated DAG', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadGraph } = await import('../src/engine/load.ts');
  const { formatDot, formatText } = await import('../src/cli/graph.ts');
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphview-'));
  const file = join(dir, 'g.ts');
  writeFileSync(file, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toySource, toyHist, toySummary } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('view', (g) => {
  const f = g.fetch('inputs', { files: 'data/*.f64' });
  const ev = g.node(toySource, 'read', f, {});
  g.node(toySummary, 'sum', [g.node(toyHist, 'h1', ev, { bins: 2, lo: 0, hi: 1 }), g.node(toyHist, 'h2', ev, { bins: 3, lo: 0, hi: 1 })], {});
});
`);
  const { plan } = await loadGraph(file);
  const text = formatText(plan).split('\n');
  assert.match(text[0]!, /^graph view \(.*g\.ts\): 5 nodes$/);
  assert.deepEqual(text.slice(1).map((l) => l.trim().split(/\s+/)[0]), ['inputs', 'read', 'h1', 'h2', 'sum']);
  assert.match(text.find((l) => l.includes(' sum '))!, /toy-summary\s+global\s+-> Json\s+<- h1, h2$/);
  assert.match(text.find((l) => l.includes(' h2 '))!, /chunk:reducer/);
  const dot = formatDot(plan);
  assert.match(dot, /^digraph "view" \{/);
  for (const e of ['"inputs" -> "read"', '"read" -> "h1"', '"read" -> "h2"', '"h1" -> "sum"', '"h2" -> "sum"']) assert.ok(dot.includes(e), e);
  assert.match(dot, /subgraph "cluster_read" \{[^}]*"read"; "h1"; "h2"/);
});

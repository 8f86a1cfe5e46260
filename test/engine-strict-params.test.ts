// Unknown option keys are errors for every kind (never silently dropped): one line naming the graph
// file, the node, the key and the closest known keys. (Type-level: test/types/graph-params.check.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../src/engine/load.ts';
import { knownKinds, loadNodeKind } from '../src/engine/registry.ts';
import { unknownKeysMessage } from '../src/engine/strict-params.ts';
import { UserError } from '../src/errors.ts';
import { ROOT, tempDir } from './engine/harness.ts';

test('every built-in kind rejects an unknown top-level key', async () => {
  const kinds = knownKinds();
  assert.ok(kinds.length >= 12, kinds.join(','));
  for (const name of kinds) {
    const kind = (await loadNodeKind(name))!;
    const r = kind.params.safeParse({ zzUnknownKey: 1 });
    assert.equal(r.success, false, name);
    const messages = r.error!.issues.map((i) => i.message).join(' | ');
    assert.match(messages, /unknown key 'zzUnknownKey' \(known keys: /, `${name}: ${messages}`);
  }
});

test('did-you-mean lists the closest keys', () => {
  assert.equal(unknownKeysMessage(['lumii'], ['histograms', 'fill', 'lumi', 'normalise']), "unknown key 'lumii' (did you mean 'lumi'?)");
  assert.equal(unknownKeysMessage(['colour', 'y'], ['tree', 'where']), "unknown key 'colour' (and 'y') (known keys: tree, where)");
});

const dir = tempDir('strict');
let n = 0;
async function rejects(body: string, re: RegExp): Promise<void> {
  const path = join(dir, `g${n++}.ts`);
  writeFileSync(path, `import { graph, regular } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('strict', (g) => {
  const files = g.fetch('inputs', { files: ${JSON.stringify(join(dir, 'none.root'))} });
  const ev = g.skim('skim', files, { tree: 'Events' });
  ${body}
});
`);
  await assert.rejects(loadGraph(path), (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, re);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

test('graph validation names the file, node, path and key', async () => {
  await rejects(`g.skim('cut', files, { tree: 'Events', filter: () => true });`,
    /g\d+\.ts: node 'cut' \(skim\): unknown key 'filter' \(known keys: tree, branches, where, mask\)$/);
  await rejects(`g.fill('h', ev, { histograms: { x: [regular(2, 0, 1)] }, fill: () => {}, lumii: 3 });`,
    /g\d+\.ts: node 'h' \(fill\): unknown key 'lumii' \(did you mean 'lumi'\?\)$/);
  await rejects(`g.fill('h', ev, { histograms: { x: [regular(2, 0, 1)] }, fill: () => {}, output: { roots: 'h.root' } });`,
    /node 'h' \(fill\): output: unknown key 'roots' \(did you mean 'root'\?\)/);
  await rejects(`g.fetch('more', { samples: { tt: { files: 'a.root', xsecc: 1 } } });`,
    /node 'more' \(fetch\): samples\.tt: unknown key 'xsecc' \(did you mean 'xsec'\?\)/);
  await rejects(`g.select('s', ev, { select: () => ({ keep: [] }), option: {} });`, /node 's' \(select\): unknown key 'option' \(did you mean 'options'\?\)/);
  await rejects(`g.pseudodata('p', g.merge('m', g.fill('h', ev, { histograms: {}, fill: () => {} }), { axes: 'process' }));`,
    /node 'm' \(merge\): unknown key 'axes' \(did you mean 'axis'\?\)/);
  await rejects(`g.pseudodata('p', g.fill('h', ev, { histograms: {}, fill: () => {} }), { terms: [{ process: 'a', factr: 2 }] });`,
    /node 'p' \(pseudodata\): terms\[0\]: unknown key 'factr' \(did you mean 'factor'\?\)/);
  await rejects(`g.generate('gen', { kind: 'nanoaod', samples: {}, compresion: 'zlib' });`, /node 'gen' \(generate\): unknown key 'compresion' \(did you mean 'compression'\?\)/);
});

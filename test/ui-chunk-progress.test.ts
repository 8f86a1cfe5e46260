// In-chunk progress end to end (issue 17 section 3): a skim's chunk read in a worker posts
// chunk-progress events from its first basket on, before the chunk's chunk-done, never after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flow, ROOT, tempDir } from './engine/harness.ts';

const FILE = resolve(ROOT, '../shared/data/root/uproot-HZZ-zlib.root');

test('a chunk read in a worker reports events read so far before its chunk-done', async () => {
  const dir = tempDir('chunk-progress');
  writeFileSync(join(dir, 'g.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('progress', (g) => {
  const files = g.fetch('inputs', { files: ${JSON.stringify(FILE)} });
  g.skim('skim', files, { tree: 'events', branches: ['NMuon', 'Muon_Px', 'Muon_Py', 'Muon_Pz', 'Muon_E', 'NJet', 'Jet_Px'] });
});
`);
  const r = await flow(['run', 'g.ts', '--ui', 'json', '--no-cache', '--out', 'out', '--workers', '1', '--chunk-size', '1200'], dir, { env: { FLOW_IN_THREAD_EVENTS: '0' } });
  assert.equal(r.code, 0, r.stderr);
  const done = new Map<string, number>();
  const progress: any[] = [];
  r.events.forEach((e, i) => {
    if (e.type === 'chunk-done' && e.node === 'skim') done.set(e.chunk, i);
    if (e.type === 'chunk-progress') progress.push({ ...e, i });
  });
  assert.ok(done.size >= 2, `${done.size} chunks`);
  // every chunk posts its first basket at once (no timing involved), then its whole size when answered
  for (const chunk of done.keys()) {
    const mine = progress.filter((p) => p.chunk === chunk);
    assert.ok(mine.length >= 2, `${chunk}: ${mine.length} progress events`);
    assert.ok(mine[0].events > 0 && mine[0].events < mine[0].total, `${chunk}: first basket ${mine[0].events}/${mine[0].total}`);
    assert.equal(mine.at(-1).events, mine.at(-1).total);
    for (const p of mine) assert.ok(p.i < done.get(chunk)!, `${chunk}: progress after its chunk-done`);
    assert.equal(mine[0].node, 'skim');
  }
});

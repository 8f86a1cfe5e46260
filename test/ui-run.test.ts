// End to end: `flow run --ui json|plain` on real ROOT files. The event count is checked against
// the data's documented entry count (../shared/data/README.md: uproot-HZZ.root has 2421 entries).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const data = fileURLToPath(new URL('../../shared/data/root/', import.meta.url));
const ENTRIES = 2421;
const FILES = ['uproot-HZZ.root', 'uproot-HZZ-zlib.root', 'uproot-HZZ-lz4.root'];
const ready = existsSync(fileURLToPath(new URL('../src/cli/run.ts', import.meta.url))) && existsSync(join(data, FILES[0]!));

const dir = mkdtempSync(join(tmpdir(), 'hepflow-ui-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const graphFile = join(dir, 'g.ts');
writeFileSync(graphFile, `import { graph } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
export default graph('ui-e2e', (g) => {
  const files = g.fetch('inputs', { files: ${JSON.stringify(FILES.map((f) => join(data, f)))} });
  g.skim('muons', files, { tree: 'events', branches: ['NMuon', 'Muon_Px'] });
});
`);

function flow(ui: string): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'run', graphFile, '--ui', ui, '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '1', '--chunk-size', '1000'], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

test('flow run --ui json, then --ui plain on the warm cache', { skip: ready ? false : 'engine or shared data missing' }, () => {
  const cold = flow('json');
  assert.equal(cold.status, 0, cold.stderr);
  const lines = cold.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  assert.ok(lines.every((l) => typeof l['type'] === 'string'));
  assert.equal(lines[0]!['type'], 'run-start');
  const last = lines.at(-1)!;
  assert.equal(last['type'], 'run-done');
  assert.equal(last['ok'], true);
  const muons = last['nodes']['muons'];
  assert.equal(muons.status, 'computed');
  assert.equal(muons.events, FILES.length * ENTRIES);
  assert.equal(typeof muons.chunks, 'number');
  assert.equal(muons.cached_chunks, 0);
  const chunkEvents = lines.filter((l) => l['type'] === 'chunk-done' && l['node'] === 'muons');
  assert.equal(chunkEvents.length, muons.chunks);
  assert.equal(chunkEvents.reduce((s, l) => s + l['events'], 0), FILES.length * ENTRIES);

  const warm = flow('plain');
  assert.equal(warm.status, 0, warm.stderr);
  assert.ok(!/\x1b\[/.test(warm.stdout), 'no ANSI codes when piped');
  assert.match(warm.stdout, /^\[ +0\.\ds\] run ui-e2e /m);
  assert.match(warm.stdout, /\] muons +cached$/m);
  assert.match(warm.stdout, /^run ui-e2e ok in [\d.]+ s: 0 computed, 2 cached, 0 failed, 0 skipped; 7\.3k events$/m);
  assert.match(warm.stdout, new RegExp(`^muons +cached +\\S.* +${muons.chunks} \\(${muons.chunks} cached\\) +7\\.3k +`, 'm'));
});

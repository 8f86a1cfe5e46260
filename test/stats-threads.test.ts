// The statistics CLI's worker threads: `flow scan --workers 2` and `flow ranking --workers 2` give
// exactly the library's single-thread scan() and rank() (same fits, spread over threads).
import { after, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { main as scanMain } from '../src/cli/scan.ts';
import { main as rankingMain } from '../src/cli/ranking.ts';
import { readWorkspaceFile } from '../src/stats/load.ts';
import { buildModel } from '../src/stats/model.ts';
import { scan } from '../src/stats/infer/scan.ts';
import { rank, rankingJson } from '../src/stats/infer/ranking.ts';
import { fit } from '../src/stats/fit.ts';

const WS = new URL('../../shared/refs/pyhf/validation_2bin_2channel.json', import.meta.url).pathname;
// the reference file holds the workspace under "workspace": written out as a plain workspace.json
const dir = mkdtempSync(join(tmpdir(), 'hepflow-threads-'));
const workspaceFile = join(dir, 'ws.json');
writeFileSync(workspaceFile, JSON.stringify(JSON.parse(readFileSync(WS, 'utf8')).workspace));
after(() => rmSync(dir, { recursive: true, force: true }));

async function json(main: (argv: string[]) => Promise<number>, argv: string[]): Promise<any> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  // the test runner's own messages to its parent (binary chunks) pass through
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) => (typeof c === 'string' ? ((out += c), true) : write(c, ...rest))) as typeof process.stdout.write;
  try { assert.equal(await main(argv), 0); } finally { process.stdout.write = write; }
  return JSON.parse(out);
}

test('flow scan --workers 2 equals scan() point by point', async () => {
  const file = workspaceFile;
  const model = buildModel(readWorkspaceFile(file));
  const got = await json(scanMain, [file, '--par', model.poiName, '--points', '9', '--range', '0,3', '--workers', '2', '--json']);
  assert.deepEqual(got, JSON.parse(JSON.stringify(scan(model, { pars: [model.poiName], points: 9, ranges: [[0, 3]] }))));
});

test('flow ranking --workers 2 equals rank() impact by impact', async () => {
  const file = workspaceFile;
  const model = buildModel(readWorkspaceFile(file));
  const nominal = fit(model);
  const got = await json(rankingMain, [file, '--workers', '2', '--json']);
  assert.deepEqual(got, JSON.parse(JSON.stringify(rankingJson(model, nominal, rank(model, { nominal })))));
  assert.ok(got.parameters.length >= 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/stats/build/cli.ts';
import { createRootFile } from '../src/root/write/index.ts';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { datacardToWorkspace } from '../src/stats/build/datacard-to-workspace.ts';
import { UserError } from '../src/errors.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

const card = (name: string): string => new URL(`../../shared/data/combine/${name}.txt`, import.meta.url).pathname;

async function stderrOf(run: () => Promise<number>): Promise<string> {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string) => { text += chunk; return true; }) as typeof process.stderr.write;
  try {
    assert.equal(await run(), 0);
  } finally {
    process.stderr.write = write;
  }
  return text;
}

test('flow workspace build / datacard / combine-cards write what the library functions give', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hepflow-ws-cli-'));
  try {
    const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
    const f = await createRootFile(join(dir, 'histograms.root'));
    for (const [name, h] of Object.entries(raw)) f.putHist(name, { edges: h.edges, values: h.contents, sumw2: h.contents.map(Math.abs) });
    await f.close();
    const configText = readFileSync(AGC_CONFIG_PATH, 'utf8');
    await writeFile(join(dir, 'cabinetry_config.yml'), configText);

    const said = await stderrOf(() => main(['build', join(dir, 'cabinetry_config.yml'), '--out', join(dir, 'ws.json')]));
    const expected = buildWorkspace(configText, (n) => raw[n] && { edges: raw[n].edges, values: raw[n].contents, variances: raw[n].contents.map(Math.abs) });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'ws.json'), 'utf8')), JSON.parse(JSON.stringify(expected)));
    // it says what it wrote: counted here from the workspace itself
    const bins = expected.channels.reduce((n, c) => n + c.samples[0]!.data.length, 0);
    const samples = new Set(expected.channels.flatMap((c) => c.samples.map((x) => x.name))).size;
    const mods = new Set(expected.channels.flatMap((c) => c.samples.flatMap((x) => x.modifiers.map((m) => m.name)))).size;
    assert.equal(said, `wrote ${join(dir, 'ws.json')}: pyhf workspace, ${expected.channels.length} channels (${bins} bins), ${samples} samples, ${mods} modifiers; measurement ${expected.measurements[0]!.name} (POI ${expected.measurements[0]!.config.poi})\n`);

    assert.equal(await main(['datacard', card('realistic-counting-experiment'), `--out=${join(dir, 'card.json')}`]), 0);
    const cardWs = datacardToWorkspace(parseDatacard(readFileSync(card('realistic-counting-experiment'), 'utf8')));
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'card.json'), 'utf8')), JSON.parse(JSON.stringify(cardWs)));

    assert.equal(await main(['combine-cards', `A=${card('simple-counting-experiment')}`, `B=${card('realistic-counting-experiment')}`, '--out', join(dir, 'comb.txt')]), 0);
    assert.deepEqual(parseDatacard(await readFile(join(dir, 'comb.txt'), 'utf8')).bins, ['A', 'B']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('flow workspace: bad input is a UserError naming the problem', async () => {
  await assert.rejects(main(['build']), (e: unknown) => e instanceof UserError && /expected one CONFIG\.yml/.test(e.message));
  await assert.rejects(main(['datacard', card('simple-counting-experiment'), '--bogus', '1']), /unknown option --bogus/);
  await assert.rejects(main(['combine-cards', 'nolabel.txt']), /"nolabel\.txt" is not LABEL=CARD\.txt/);
  await assert.rejects(main(['frobnicate']), /unknown subcommand "frobnicate"/);
  await assert.rejects(main(['datacard', '/nonexistent/card.txt']), /cannot read datacard '\/nonexistent\/card\.txt': no such file/);
});

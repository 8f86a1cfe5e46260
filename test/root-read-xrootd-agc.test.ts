// root:// in the analysis: fetch globs over kXR_dirlist, AGC filesets mixing root:// and https,
// the fileset's other fields (is_data) kept; `graphs/ttbar.ts` gives byte-identical histograms
// (every variation, the pt_res_up smearing included) from local paths, root:// URLs and XrdHttp
// URLs of the same files, because per-chunk seeds follow the file's content, not its location;
// --skip-bad-files skips and lists a missing and a truncated file on the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fetchKind from '../nodes/fetch.ts';
import { sampleInfo } from '../src/analysis/sample.ts';
import { AGC_BRANCHES_V2 } from '../src/analysis/agc.ts';
import { countingReads } from '../src/read-counter.ts';
import { openRootFile } from '../src/root/read/index.ts';
import type { NodeContext } from '../src/engine/node-kind.ts';
import { closeAllConnections } from '../src/root/read/xrootd/client.ts';
import { flow, ROOT } from './engine/harness.ts';
import { startXrootd, xrootdMissing, type XrootdServer } from './helpers/xrootd-server.ts';

const missing = xrootdMissing();
const dir = mkdtempSync(join(tmpdir(), 'hepflow-xrd-agc-'));
// every AGC sample, so the graph runs through to the fit
const samples: Array<[string, string, number]> = [
  ['ttbar', 'nominal', 11], ['ttbar', 'scaledown', 12], ['ttbar', 'scaleup', 13], ['ttbar', 'ME_var', 14], ['ttbar', 'PS_var', 15],
  ['single_top_s_chan', 'nominal', 16], ['single_top_t_chan', 'nominal', 17], ['single_top_tW', 'nominal', 18], ['wjets', 'nominal', 19],
];
const fileOf = (s: string, v: string) => `${s}-${v}.root`;
const EVENTS = 3000;
let srv: XrootdServer;

before(async () => {
  if (missing) return;
  for (const [s, v, seed] of samples) {
    const r = await flow(['gen', 'nanoaod', '--events', String(EVENTS), '--process', s, '--variation', v, '--seed', String(seed), '--out', join(dir, fileOf(s, v))], dir);
    assert.equal(r.code, 0, r.stderr);
  }
  srv = await startXrootd({ files: samples.map(([s, v]) => join(dir, fileOf(s, v))) });
  writeFileSync(join(srv.dir, 'truncated.root'), readFileSync(join(dir, fileOf('ttbar', 'nominal'))).subarray(0, 300_000));
  chmodSync(join(srv.dir, 'truncated.root'), 0o644);
});
after(async () => {
  await closeAllConnections();
  await srv?.stop();
});

const ctx = { graph: 'g', node: 'inputs', log: () => {}, warn: () => {}, signal: new AbortController().signal, progress() {}, memo: async (_k: unknown, f: () => unknown) => f(), workers: 1 } as unknown as NodeContext;

function fileset(where: (name: string) => string): Record<string, unknown> {
  const fs: Record<string, Record<string, unknown>> = {};
  for (const [s, v] of samples) (fs[s] ??= {})[v] = { files: [{ path: where(fileOf(s, v)), nevts: EVENTS }], nevts_total: EVENTS };
  return fs;
}

test('fetch: a root:// glob lists what the server has (kXR_dirlist), fingerprints come from kXR_open/stat', { skip: missing }, async () => {
  const fs = await fetchKind.run([], fetchKind.params.parse({ files: srv.url('/ttbar-*.root') }), ctx);
  const ttbar = samples.filter(([s]) => s === 'ttbar').map(([s, v]) => fileOf(s, v)).sort();
  assert.equal(ttbar.length, 5);
  assert.deepEqual(fs.files.map((f) => f.path), ttbar.map((n) => `root://127.0.0.1:${srv.port}//${n}`));
  const fp = fs.files[0]!.fingerprint as { kind: string; size: number; mtime: number; id: string };
  assert.equal(fp.kind, 'xrootd');
  assert.equal(fp.size, readFileSync(join(dir, ttbar[0]!)).length);
  assert.ok(fp.mtime > 0 && fp.id !== '', JSON.stringify(fp));
  await assert.rejects(async () => fetchKind.run([], fetchKind.params.parse({ files: srv.url('/nothing-*.root') }), ctx), /no file matches root:\/\/.*nothing-\*\.root/);
  await assert.rejects(async () => fetchKind.run([], fetchKind.params.parse({ files: srv.url('/nodir/*.root') }), ctx), /root:\/\/127\.0\.0\.1:\d+\/\/nodir: kXR_NotFound/);
});

test('fetch: an AGC fileset mixing root:// and XrdHttp keeps is_data and the other fields; one identity per file content', { skip: missing }, async (t) => {
  if (!srv.httpPort) return t.skip('no XrdHttp plugin');
  const fs = await fetchKind.run([], fetchKind.params.parse({
    fileset: {
      ttbar: { nominal: { files: [{ path: srv.url('/ttbar-nominal.root'), nevts: EVENTS }], nevts_total: 10 * EVENTS } },
      data: { nominal: { files: [srv.httpUrl('/wjets-nominal.root')], is_data: true, lumi_mask: 'golden.json' } },
      local: { nominal: { files: [join(dir, 'ttbar-nominal.root')] } },
    },
  }), ctx);
  const [tt, data, local] = fs.files;
  assert.equal(tt!.fingerprint.kind, 'xrootd');
  assert.equal(data!.fingerprint.kind, 'https');
  assert.deepEqual(tt!.metadata, { nevts_total: 10 * EVENTS });
  assert.deepEqual(data!.metadata, { is_data: true, lumi_mask: 'golden.json' });
  assert.equal(sampleInfo(data!).isData, true);
  assert.equal(sampleInfo(tt!).isData, false);
  assert.equal(tt!.identity, local!.identity, 'one file, one identity, wherever it is read');
  assert.notEqual(tt!.identity, data!.identity);
});

test('each chunk of the AGC branches is one kXR_readv, the same columns as the local file', { skip: missing }, async () => {
  const remote = await openRootFile(srv.url('/ttbar-nominal.root'));
  const local = await openRootFile(join(dir, 'ttbar-nominal.root'));
  const [rt, lt] = [await remote.tree('Events'), await local.tree('Events')];
  // the whole file as one chunk, then in small chunks (a chunk ending inside a basket keeps it for
  // the next: at most one request each)
  for (const size of [200_000, 1000]) {
    const chunks = [...rt.chunks(size)];
    for (const r of chunks) {
      const { value, read } = await countingReads(() => rt.read(AGC_BRANCHES_V2, r));
      if (size === 200_000) assert.equal(read.requests, 1, `whole-file chunk: ${read.requests} requests`);
      else assert.ok(read.requests <= 1, `chunk ${r.start}-${r.stop}: ${read.requests} requests`);
      assert.deepEqual(value, await lt.read(AGC_BRANCHES_V2, r));
    }
    if (size === 1000) assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  }
  await remote.close();
  await local.close();
});

test('ttbar graph: local, root:// and XrdHttp inputs give byte-identical histograms and fit (all variations, pt_res_up included)', { skip: missing }, async () => {
  const where: Record<string, (n: string) => string> = { local: (n) => join(dir, n), root: (n) => srv.url(`/${n}`) };
  if (srv.httpPort) where.http = (n) => srv.httpUrl(`/${n}`);
  const outputs: Record<string, { root: Buffer; json: string; fit: string }> = {};
  for (const [name, fn] of Object.entries(where)) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(fileset(fn)));
    const r = await flow(['run', join(ROOT, 'graphs/ttbar.ts'), '--ui', 'plain', '--no-cache', '--workers', '1', '--out', join(dir, `out-${name}`),
      '--set', `fileset=${join(dir, `${name}.json`)}`], dir);
    assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
    const out = (f: string) => readFileSync(join(dir, `out-${name}`, f));
    outputs[name] = { root: out('histograms.root'), json: out('histograms.json').toString(), fit: out('fit.json').toString() };
  }
  const hists = JSON.parse(outputs.local!.json) as Record<string, { contents: number[] }>;
  const res = Object.keys(hists).filter((k) => k.includes('pt_res_up'));
  assert.ok(res.length >= 2, `pt_res_up histograms: ${res.join(', ')}`);
  for (const k of res) assert.notDeepEqual(hists[k]!.contents, hists[k.replace('pt_res_up', 'nominal')]?.contents ?? hists[k.replace('_pt_res_up', '')]?.contents, `${k} is smeared`);
  for (const name of Object.keys(where)) {
    if (name === 'local') continue;
    const got = JSON.parse(outputs[name]!.json) as Record<string, unknown>;
    const differ = [...new Set([...Object.keys(hists), ...Object.keys(got)])].filter((k) => JSON.stringify(got[k]) !== JSON.stringify(hists[k]));
    assert.deepEqual(differ, [], `${name}: histograms that differ from the local run`);
    assert.ok(outputs[name]!.root.equals(outputs.local!.root), `${name} histograms.root`);
    assert.equal(outputs[name]!.fit, outputs.local!.fit, `${name} fit.json`);
  }
});

test('--skip-bad-files skips and lists a missing and a truncated file on the server', { skip: missing }, async () => {
  const graphPath = join(dir, 'skipbad.ts');
  const urls = [srv.url('/ttbar-nominal.root'), srv.url('/gone.root'), srv.url('/truncated.root')];
  writeFileSync(graphPath, `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('skipbad', (g) => {
  const files = g.fetch('inputs', { samples: { tt: ${JSON.stringify(urls)} } });
  g.skim('skim', files, { tree: 'Events', branches: ['nJet'] });
});
`);
  const r = await flow(['run', graphPath, '--ui', 'plain', '--no-cache', '--skip-bad-files', '--workers', '0', '--out', join(dir, 'out-skip')], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  const at = lines.indexOf('skipped files (2):');
  assert.ok(at >= 0, r.stdout);
  const listed = lines.slice(at + 1, at + 3).join('\n');
  assert.match(listed, /gone\.root: .*kXR_NotFound/);
  assert.match(listed, /truncated\.root: .*truncated/);
  for (const u of urls.slice(1)) assert.equal(listed.split(u).length - 1, 1, `${u} named once:\n${listed}`);
  const without = await flow(['run', graphPath, '--ui', 'plain', '--no-cache', '--workers', '0', '--out', join(dir, 'out-noskip')], dir);
  assert.equal(without.code, 1, without.stdout + without.stderr);
  assert.match(without.stdout, /^error in inputs: fetch 'inputs': cannot fingerprint root:\/\/127\.0\.0\.1:\d+\/\/gone\.root: kXR_NotFound: .*no such file/m);
});

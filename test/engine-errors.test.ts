// Bad graphs and bad --set values are rejected before anything runs, with one-line messages naming
// the graph file, the node and the zod path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../src/engine/load.ts';
import { UserError } from '../src/errors.ts';
import { flow, ROOT, tempDir } from './engine/harness.ts';

const dir = tempDir('errors');
const header = `import { graph, z } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toySource, toyMap, toyHist, toySummary } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
`;
let n = 0;
function graphFile(body: string, params = ''): string {
  const path = join(dir, `g${n++}.ts`);
  writeFileSync(path, `${header}export default graph('bad', ${params ? `{ params: ${params} }, ` : ''}(g, p) => {\n${body}\n});\n`);
  return path;
}

async function rejects(path: string, re: RegExp, sets: Record<string, string> = {}): Promise<void> {
  await assert.rejects(loadGraph(path, sets), (err: unknown) => {
    assert.ok(err instanceof UserError, `UserError expected, got ${String(err)}`);
    assert.match(err.message, re);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

const files = `const f = g.fetch('inputs', { files: 'x/*.f64' });`;

test('duplicate node names', async () => {
  const p = graphFile(`${files}\nconst a = g.node(toySource, 'read', f, {});\ng.node(toyHist, 'read', a, { bins: 1, lo: 0, hi: 1 });`);
  await rejects(p, /g\d+\.ts: duplicate node name 'read'/);
});

test('cycles (through name references)', async () => {
  const p = graphFile(`${files}\ng.node(toySummary, 'a', ['b'], {});\ng.node(toySummary, 'b', ['a'], {});`);
  await rejects(p, /g\d+\.ts: cycle in the graph: (a -> b -> a|b -> a -> b)/);
});

test('dangling inputs', async () => {
  const p = graphFile(`${files}\ng.node(toySummary, 'sum', ['nope'], {});`);
  await rejects(p, /node 'sum' \(toy-summary\): input 1 'nope' is not a node of this graph/);
});

test('mistyped inputs', async () => {
  const p = graphFile(`${files}\ng.node(toyHist, 'h', f as any, { bins: 3, lo: 0, hi: 1 });`);
  await rejects(p, /node 'h' \(toy-hist\): input 1 'inputs' is FileSet, expected EventChunks/);
});

test('invalid node params name the zod path', async () => {
  const p = graphFile(`${files}\nconst a = g.node(toySource, 'read', f, {});\ng.node(toyHist, 'm4l', a, { bins: 'many', lo: 0, hi: 1 });`);
  await rejects(p, /g\d+\.ts: node 'm4l' \(toy-hist\): bins: expected number/);
  const q = graphFile(`const f = g.fetch('inputs', {});`);
  await rejects(q, /node 'inputs' \(fetch\): give files, samples or fileset/);
  const r = graphFile(`${files}\nconst a = g.node(toySource, 'read', f, {});\ng.node(toyMap, 'map', a, { f: 3 });`);
  await rejects(r, /node 'map' \(toy-map\): f: expected a function/);
});

test('unknown node kind', async () => {
  const p = graphFile(`${files}\ng.node('frobnicate', 'x', f, {});`);
  await rejects(p, /node 'x': unknown node kind 'frobnicate' \(known: .*fetch/);
});

test('bad --set values', async () => {
  const p = graphFile(files, `z.object({ bins: z.number().default(3), on: z.boolean().default(false) })`);
  await rejects(p, /g\d+\.ts: --set bins: expected number, got "abc"/, { bins: 'abc' });
  await rejects(p, /--set colour: unknown parameter \(parameters: bins, on\)/, { colour: 'red' });
  const ok = await loadGraph(p, { bins: '17', on: 'true' });
  assert.deepEqual(ok.params, { bins: 17, on: true });
});

test('CLI: missing file, syntax error, unknown node for --force: one line, non-zero exit', async () => {
  const missing = await flow(['run', 'nope.ts'], dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), 'flow: graph file not found: nope.ts');
  const bad = join(dir, 'syntax.ts');
  writeFileSync(bad, `${header}export default graph('s', (g) => { g.fetch('a', { files: [ });\n`);
  const syn = await flow(['run', 'syntax.ts'], dir);
  assert.equal(syn.code, 2);
  assert.match(syn.stderr, /^flow: syntax\.ts: cannot load the graph module: SyntaxError/);
  assert.equal(syn.stderr.trim().split('\n').length, 1);
  const good = graphFile(files);
  const force = await flow(['run', good, '--force', 'nope', '--no-cache'], dir);
  assert.equal(force.code, 2);
  assert.match(force.stderr, /--force nope: no such node/);
  const set = await flow(['graph', graphFile(files, `z.object({ bins: z.number() })`), '--set', 'bins=x'], dir);
  assert.equal(set.code, 2);
  assert.match(set.stderr, /--set bins: expected number, got "x"/);
});

// Graph names and flags that would reach paths or prototypes: node names are identifiers
// ('../../evil' and names with a newline are refused), `--set __proto__=1` is refused by name,
// `--workers` above the number of cores is capped with a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadGraph } from '../src/engine/load.ts';
import { parseSetArgs } from '../src/engine/params.ts';
import { UserError } from '../src/errors.ts';
import { makeToyProject, ROOT, runToy, tempDir, writeToyGraph } from './engine/harness.ts';

const dir = tempDir('hostile');
const header = `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toySource } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
`;

test('node names are identifiers: path parts and newlines are refused, naming the file', async () => {
  const bad = ['../../evil', 'a/b', 'evil\nname', ' lead', '.hidden', 'x y'];
  for (const [i, name] of bad.entries()) {
    const path = join(dir, `names${i}.ts`);
    writeFileSync(path, `${header}export default graph('g', (g) => {\n  const f = g.fetch(${JSON.stringify(name)}, { files: 'x/*.f64' });\n  g.node(toySource, 'read', f, {});\n});\n`);
    await assert.rejects(loadGraph(path, {}), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.ok(err.message.startsWith(`${path}: node name ${JSON.stringify(name)} is not an identifier`), err.message);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
  const ok = join(dir, 'names-ok.ts');
  writeFileSync(ok, `${header}export default graph('g', (g) => {\n  const f = g.fetch('four-leptons_2', { files: 'x/*.f64' });\n  g.node(toySource, 'read', f, {});\n});\n`);
  assert.ok((await loadGraph(ok, {})).plan.nodes.has('four-leptons_2'));
});

test('--set __proto__=1 (and constructor, prototype) are refused by name', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    assert.throws(() => parseSetArgs([`${name}=1`]), (err: unknown) => err instanceof UserError && err.message === `--set ${name}: '${name}' cannot be a parameter name (reserved in JavaScript objects)`);
  }
  const sets = parseSetArgs(['bins=17', 'toString=1']);
  assert.deepEqual(sets, { bins: '17', toString: '1' });
  assert.throws(() => parseSetArgs(['bins=1', 'bins=2']), /given twice/);
});

test('--workers above the number of cores is capped, with a warning', async () => {
  const project = makeToyProject('hostile-workers');
  writeToyGraph(project, {});
  const r = await runToy(project, ['--workers', '1000']);
  assert.equal(r.code, 0, r.stderr);
  const cores = availableParallelism();
  const warning = r.events.find((e) => e.type === 'warning' && /--workers/.test(e.message));
  assert.ok(warning, JSON.stringify(r.events.filter((e) => e.type === 'warning')));
  assert.equal(warning.message, `--workers 1000 is more than the ${cores} cores of this machine: using ${cores}`);
});

// Dependency hygiene (scripts/import-cycles.ts): hepflow's module graph has no cycles, counting
// type-only and dynamic imports, and no library module loads a node kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles, importGraph, libraryToNodeKind, moduleImports } from '../scripts/import-cycles.ts';

test('the import graph of cli.ts, src, nodes, cache and graphs has no cycle', () => {
  const graph = importGraph();
  assert.ok(graph.size > 200, `only ${graph.size} modules found`);
  assert.deepEqual(findCycles(graph), []);
});

test('no library module (src/, cache/) loads a node kind (nodes/)', () => {
  assert.deepEqual(libraryToNodeKind(importGraph(undefined, 'runtime')), []);
});

test('the checker sees static, type-only, re-exported and dynamic imports, and finds planted cycles', () => {
  const edges = moduleImports('/r/src/a.ts', `import { x } from './b.ts';\nimport type { T } from '../c.ts';\nexport { y } from './d.ts';\nexport type { U } from './e.ts';\nimport 'node:fs';\nasync function f() { return import('./f.ts'); }\n`);
  assert.deepEqual(edges, [
    { to: '/r/src/b.ts', typeOnly: false, dynamic: false },
    { to: '/r/c.ts', typeOnly: true, dynamic: false },
    { to: '/r/src/d.ts', typeOnly: false, dynamic: false },
    { to: '/r/src/e.ts', typeOnly: true, dynamic: false },
    { to: '/r/src/f.ts', typeOnly: false, dynamic: true },
  ]);
  const planted = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']], ['f', ['a']]]);
  assert.deepEqual(findCycles(planted), [['a', 'b', 'c'], ['e']]);
  assert.deepEqual(libraryToNodeKind(new Map([['src/x.ts', ['nodes/skim.ts', 'src/y.ts']], ['nodes/fill.ts', ['nodes/skim.ts']]])), ['src/x.ts -> nodes/skim.ts']);
});

test('src/hist does not load the ROOT writer (or any of src/root): histograms are data, files are written by their users', () => {
  const graph = importGraph(undefined, 'runtime');
  const offending = [...graph].filter(([from]) => from.startsWith('src/hist/')).flatMap(([from, deps]) => deps.filter((d) => d.startsWith('src/root/')).map((d) => `${from} -> ${d}`));
  assert.deepEqual(offending, []);
});

// A NaN or infinite weight filled into a histogram is a warning naming the fill node and the chunk
// (or an error with nonFiniteWeights: 'error'), not a silently poisoned histogram and fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillChunk } from '../src/analysis/fill-chunk.ts';
import { regular } from '../src/hist/index.ts';
import { UserError } from '../src/errors.ts';
import type { ChunkContext, EventBatch } from '../src/engine/node-kind.ts';

function context(warnings: string[]): ChunkContext {
  return {
    graph: 'g', node: 'hists', seed: 1, signal: new AbortController().signal, log: () => {}, warn: (m: string) => warnings.push(m),
    chunk: { id: 'c', file: { path: '/data/mc_ttbar.root', sample: 'data', process: 'data', variation: 'nominal' }, tree: 'events', start: 0, stop: 3 },
  } as unknown as ChunkContext;
}

const input: EventBatch = { entries: 3, columns: { x: Float64Array.of(1, 2, 3) } } as unknown as EventBatch;

function params(weights: number[], mode?: 'warn' | 'error') {
  return {
    histograms: { m: [regular(4, 0, 4, { name: 'x' })] },
    fill: (ev: any, h: any) => h.m.fill({ x: ev.x ?? Float64Array.of(1, 2, 3) }, Float64Array.from(weights)),
    lumi: 1, normalise: 'none' as const, options: {}, nonFiniteWeights: mode,
  };
}

test('NaN and infinite weights: a warning naming node, chunk and histogram; finite weights: none', () => {
  const warnings: string[] = [];
  fillChunk(input, params([1, NaN, Infinity]), context(warnings));
  assert.deepEqual(warnings, [`fill node 'hists', chunk /data/mc_ttbar.root[0:3]: histogram 'm' has 2 bin(s) with a NaN or infinite sum of weights (a NaN or infinite weight was filled)`]);
  const none: string[] = [];
  fillChunk(input, params([1, 2, 3]), context(none));
  assert.deepEqual(none, []);
});

test("nonFiniteWeights: 'error' makes it a UserError", () => {
  assert.throws(() => fillChunk(input, params([1, -Infinity, 1], 'error'), context([])), (e: unknown) => e instanceof UserError && /fill node 'hists', chunk .*mc_ttbar\.root\[0:3\]: histogram 'm' has 1 bin/.test(e.message));
});

// Fault harness (test/faults/harness.ts): damage a copy of a warm cache of graphs/hzz.ts (bit flips
// at seeded random offsets of index.mdb and of blobs, truncations, undecodable entries) or
// interrupt a run (kill -9, Ctrl-C, SIGTERM at a random moment; a killed run with other params),
// re-run, and class the outcome: the clean run's output files, a clean error, or a failure (a
// different output with exit 0, a signal, a stack trace). Bounded: a fixed number of trials, each
// at most two runs of a small graph. HEPFLOW_FAULT_TRIALS=N runs N trials per fault (the slow
// variant); HEPFLOW_FAULT_WORKERS=N runs them on N workers (default 0: the main thread).
// `npm run faults` prints the same table as markdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTable, runHarness } from './faults/harness.ts';

test('fault harness: every damaged cache or interrupted run gives the clean outputs or a clean error', { timeout: 1_800_000 }, async () => {
  const trials = process.env.HEPFLOW_FAULT_TRIALS ? Number(process.env.HEPFLOW_FAULT_TRIALS) : undefined;
  const { rows, failures } = await runHarness({ ...(trials ? { trials } : {}), workers: process.env.HEPFLOW_FAULT_WORKERS ?? '0' });
  console.log(`${markdownTable(rows)}\n${failures.map((f) => `  ${f}`).join('\n')}`);
  assert.equal(rows.reduce((n, r) => n + r.wrong + r.crashes, 0), 0, failures.join('\n'));
});

// Fault harness: damage a copy of a warm cache of graphs/hzz.ts (bit flips at seeded random offsets
// of index.mdb and of blobs, truncations, undecodable entries), re-run, and class the outcome: the
// same output files as the clean run, a clean error (non-zero exit, no stack trace), or a failure
// (a different output with exit 0, a signal, a stack trace). Bounded: a fixed number of trials,
// each one run of a small graph. HEPFLOW_FAULT_TRIALS=N runs N trials per fault (the slow variant);
// HEPFLOW_FAULT_WORKERS=N runs them on N workers (default 0: the main thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cacheFaults, seededRandom } from './faults/cache-faults.ts';

const ROOT = join(import.meta.dirname, '..');
const TRIALS: Record<string, number> = {
  'index.mdb: bit flip anywhere': 3,
  'index.mdb: bit flip in a stored result': 5,
  'index.mdb: bit flip in the meta pages': 2,
  'index.mdb: truncated': 3,
  'blob: bit flip': 3,
  'blob: truncated': 2,
  'entry: undecodable value': 2,
};
const perFault = process.env.HEPFLOW_FAULT_TRIALS ? Number(process.env.HEPFLOW_FAULT_TRIALS) : undefined;
const workers = process.env.HEPFLOW_FAULT_WORKERS ?? '0';

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

function runHzz(cache: string, out: string): Promise<Run> {
  const args = [join(ROOT, 'cli.ts'), 'run', join(ROOT, 'graphs/hzz.ts'), '--ui', 'json', '--cache-dir', cache, '--out', out, '--workers', workers, '--set', 'events=1000'];
  return new Promise((res) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, FLOW_CACHE_DIR: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000); // a hang is a failure, not a stuck suite
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

function outputs(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (d.isFile() && d.name !== '.flow-outputs.json') files.set(relative(dir, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name)).toString('base64'));
  }
  return files;
}

const STACK = /\n\s+at .+[:(]\d+:\d+\)?/;

/** The failed nodes' errors of a run that exited 1 (from its run-done line), else its last stderr line. */
function failureOf(r: Run): string {
  try {
    const done = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { nodes?: Record<string, { status: string; error?: string }> };
    const failed = Object.entries(done.nodes ?? {}).filter(([, n]) => n.status === 'failed');
    if (failed.length) return failed.map(([name, n]) => `${name}: ${n.error}`).join('; ');
  } catch {
    // not a run-done line
  }
  return r.stderr.trim().split('\n').at(-1) ?? '';
}

type Outcome = 'identical' | 'clean error' | 'wrong output' | 'crash';

function classify(r: Run, clean: Map<string, string>, out: string): { outcome: Outcome; why: string } {
  if (r.signal) return { outcome: 'crash', why: `killed by ${r.signal}` };
  if (STACK.test(r.stderr) || STACK.test(r.stdout)) return { outcome: 'crash', why: `stack trace: ${r.stderr.slice(0, 400)}` };
  if (r.code !== 0) return r.code === 1 || r.code === 2 ? { outcome: 'clean error', why: failureOf(r) } : { outcome: 'crash', why: `exit ${r.code}` };
  const got = outputs(out);
  for (const [file, bytes] of clean) if (got.get(file) !== bytes) return { outcome: 'wrong output', why: `${file} differs` };
  return { outcome: 'identical', why: '' };
}

test('cache fault harness: every damaged cache gives the clean outputs or a clean error', { timeout: 1_800_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-faults-'));
  try {
    const warm = join(dir, 'cache');
    const first = await runHzz(warm, join(dir, 'out-clean'));
    assert.equal(first.code, 0, first.stderr);
    const clean = outputs(join(dir, 'out-clean'));
    assert.ok(clean.has('fit.json') && clean.has('workspace.json') && clean.has('histograms.root'));

    const rows: Array<{ fault: string; trials: number; identical: number; errors: number; wrong: number; crashes: number }> = [];
    const failures: string[] = [];
    let seed = 1;
    for (const fault of cacheFaults) {
      const row = { fault: fault.name, trials: 0, identical: 0, errors: 0, wrong: 0, crashes: 0 };
      for (let i = 0; i < (perFault ?? TRIALS[fault.name] ?? 2); i++) {
        const cache = join(dir, `cache-${seed}`);
        const out = join(dir, `out-${seed}`);
        cpSync(warm, cache, { recursive: true });
        const what = await fault.apply(cache, seededRandom(seed++));
        const { outcome, why } = classify(await runHzz(cache, out), clean, out);
        row.trials++;
        if (outcome === 'identical') row.identical++;
        else if (outcome === 'clean error') row.errors++;
        else if (outcome === 'wrong output') row.wrong++;
        else row.crashes++;
        if (outcome !== 'identical') failures.push(`${fault.name} (${what}): ${outcome}: ${why}`);
        rmSync(cache, { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }
      rows.push(row);
    }
    const head = ['fault', 'trials', 'recovered identically', 'clean errors', 'wrong outputs', 'crashes'];
    const lines = rows.map((r) => [r.fault, r.trials, r.identical, r.errors, r.wrong, r.crashes].map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const table = [head, ...lines].map((l) => l.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')).join('\n');
    console.log(`${table}\n${failures.map((f) => `  ${f}`).join('\n')}`);
    assert.equal(rows.reduce((n, r) => n + r.wrong + r.crashes, 0), 0, failures.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

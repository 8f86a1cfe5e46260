// The fault harness (issue 13): a warm cache and a clean run of graphs/hzz.ts, then per fault a
// number of seeded trials, each damaging a copy of the cache (test/faults/cache-faults.ts) or
// interrupting a run (run-faults.ts), then re-running and classing the outcome: the clean run's
// output files byte for byte, a clean error (exit 1 or 2, no stack trace), or a failure (a different
// output with exit 0, a signal, another exit code, a stack trace). Bounded: a fixed number of
// trials, each at most two runs of a small graph (1000 events), each killed after 120 s.
// Used by test/fault-cache.test.ts (in `npm test`) and `npm run faults` (the table, by hand).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cacheFaults, seededRandom, type Fault } from './cache-faults.ts';
import { runFaults, STACK } from './run-faults.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export const allFaults: Fault[] = [...cacheFaults, ...runFaults];

export interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

export interface RunHzzOptions {
  /** Extra arguments (`--set bins=17`). */
  args?: string[];
  /** Send `signal` (default SIGKILL) once stdout has this many lines. */
  stopAfterLines?: number;
  signal?: NodeJS.Signals;
}

export function runHzz(cache: string, out: string, workers: string, o: RunHzzOptions = {}): Promise<Run> {
  const args = [join(ROOT, 'cli.ts'), 'run', join(ROOT, 'graphs/hzz.ts'), '--ui', 'json', '--cache-dir', cache, '--out', out, '--workers', workers, '--set', 'events=1000', ...(o.args ?? [])];
  return new Promise((res) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, FLOW_CACHE_DIR: '' } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    p.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && o.stopAfterLines !== undefined && stdout.split('\n').length > o.stopAfterLines) {
        sent = true;
        p.kill(o.signal ?? 'SIGKILL');
      }
    });
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

export interface Row { fault: string; trials: number; identical: number; errors: number; wrong: number; crashes: number }

export interface HarnessOptions {
  /** Trials per fault; default each fault's own (`defaultTrials`). */
  trials?: number;
  workers?: string;
  /** Only the faults whose name includes this. */
  only?: string;
  /** Called after each trial (progress on stderr for the script). */
  onTrial?: (fault: string, what: string, outcome: Outcome) => void;
}

export async function runHarness(o: HarnessOptions = {}): Promise<{ rows: Row[]; failures: string[] }> {
  const workers = o.workers ?? '0';
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-faults-'));
  try {
    const warm = join(dir, 'cache');
    const first = await runHzz(warm, join(dir, 'out-clean'), workers);
    if (first.code !== 0) throw new Error(`the clean run failed: ${first.stderr}`);
    const clean = outputs(join(dir, 'out-clean'));
    if (!(clean.has('fit.json') && clean.has('workspace.json') && clean.has('histograms.root'))) throw new Error('the clean run did not write fit.json, workspace.json and histograms.root');
    const cleanLines = first.stdout.trim().split('\n').length;

    const rows: Row[] = [];
    const failures: string[] = [];
    let seed = 1;
    for (const fault of allFaults) {
      if (o.only && !fault.name.includes(o.only)) continue;
      const row: Row = { fault: fault.name, trials: 0, identical: 0, errors: 0, wrong: 0, crashes: 0 };
      for (let i = 0; i < (o.trials ?? fault.defaultTrials); i++) {
        const cache = join(dir, `cache-${seed}`);
        const out = join(dir, `out-${seed}`);
        cpSync(warm, cache, { recursive: true });
        let what: string;
        let result: { outcome: Outcome; why: string };
        try {
          what = await fault.apply(cache, seededRandom(seed++), { out, cleanLines, run: (oo) => runHzz(cache, out, workers, oo) });
          result = classify(await runHzz(cache, out, workers), clean, out);
        } catch (err) {
          // the interrupted run itself misbehaved (no run-done line, a stack trace)
          what = 'interrupted run';
          result = { outcome: 'crash', why: (err as Error).message };
        }
        row.trials++;
        if (result.outcome === 'identical') row.identical++;
        else if (result.outcome === 'clean error') row.errors++;
        else if (result.outcome === 'wrong output') row.wrong++;
        else row.crashes++;
        if (result.outcome !== 'identical') failures.push(`${fault.name} (${what}): ${result.outcome}: ${result.why}`);
        o.onTrial?.(fault.name, what, result.outcome);
        rmSync(cache, { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }
      rows.push(row);
    }
    return { rows, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table as the README shows it (markdown), with a total row. */
export function markdownTable(rows: Row[]): string {
  const total: Row = rows.reduce((t, r) => ({ ...t, trials: t.trials + r.trials, identical: t.identical + r.identical, errors: t.errors + r.errors, wrong: t.wrong + r.wrong, crashes: t.crashes + r.crashes }), { fault: '**all**', trials: 0, identical: 0, errors: 0, wrong: 0, crashes: 0 });
  const line = (r: Row): string => `| ${r.fault} | ${r.trials} | ${r.identical} | ${r.errors} | ${r.wrong} | ${r.crashes} |`;
  return ['| fault | trials | recovered identically | clean errors | wrong outputs | crashes |', '|---|---:|---:|---:|---:|---:|', ...rows.map(line), line(total)].join('\n');
}

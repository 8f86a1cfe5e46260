// Toy batches on worker threads (piscina) for `flow limit --toys` and the benchmark: the jobs are
// split into a few groups per thread (each group one task carrying the workspace once), and the
// results come back in job order. Optionally every finished batch is appended to a JSON-lines file
// and read back on the next run with the same jobs: an interrupted toy limit resumes.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { moduleExt } from '../../module-ext.ts';
import type { ModelRef } from '../model-cache.ts';
import type { ToyJob, ToyRunner } from './toy-limit.ts';

const GROUPS_PER_THREAD = 4;

function jobKey(ref: ModelRef, j: ToyJob): string {
  return createHash('sha256').update(JSON.stringify([ref.model, j.mu, j.pars, j.seed, j.count])).digest('hex');
}

function readDone(file: string | undefined): Map<string, number[]> {
  const done = new Map<string, number[]>();
  if (!file || !existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const { key, values } = JSON.parse(line) as { key: string; values: number[] };
      done.set(key, values);
    } catch { /* a line cut by an interruption */ }
  }
  return done;
}

/** A runner on `threads` worker threads (1: in this thread, no pool); `resumeFile` keeps finished batches. */
export function threadRunner(ref: ModelRef, threads: number, resumeFile?: string): ToyRunner & { reused: () => number } {
  let reused = 0;
  const runner = async (jobs: ToyJob[]): Promise<number[][]> => {
    const done = readDone(resumeFile);
    const keys = jobs.map((j) => jobKey(ref, j));
    const todo = jobs.map((_, k) => k).filter((k) => !done.has(keys[k]!));
    reused += jobs.length - todo.length;
    const save = (k: number, values: number[]) => {
      done.set(keys[k]!, values);
      if (resumeFile) appendFileSync(resumeFile, `${JSON.stringify({ key: keys[k], values })}\n`);
    };
    if (todo.length > 0 && threads <= 1) {
      const { default: run } = await import('./toy-worker.ts');
      for (const k of todo) save(k, run({ ref, jobs: [jobs[k]!] })[0]!);
    } else if (todo.length > 0) {
      const { Piscina } = await import('piscina');
      const pool = new Piscina({ filename: new URL(`./toy-worker${moduleExt(import.meta.url)}`, import.meta.url).href, minThreads: threads, maxThreads: threads });
      try {
        const groups = Array.from({ length: Math.min(todo.length, threads * GROUPS_PER_THREAD) }, (_, g) => todo.filter((_, i) => i % (threads * GROUPS_PER_THREAD) === g));
        await Promise.all(groups.map(async (g) => {
          const out = (await pool.run({ ref, jobs: g.map((k) => jobs[k]!) })) as number[][];
          g.forEach((k, i) => save(k, out[i]!));
        }));
      } finally { await pool.destroy(); }
    }
    return keys.map((key) => done.get(key)!);
  };
  return Object.assign(runner, { reused: () => reused });
}

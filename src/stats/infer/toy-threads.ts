// Toy batches on worker threads (src/stats/threads) for `flow limit --toys` and the benchmark,
// results in job order. Optionally every finished batch is appended to a JSON-lines file
// and read back on the next run with the same jobs: an interrupted toy limit resumes.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mapOnThreads } from '../threads/pool.ts';
import type { ModelRef } from '../model-cache.ts';
import type { ToyJob, ToyRunner } from './toy-limit.ts';

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
    // every finished group is saved at once: an interruption loses only the groups under way
    await mapOnThreads(ref, 'toys', todo.map((k) => jobs[k]!), undefined, threads, (indices, results) => {
      indices.forEach((i, r) => {
        const k = todo[i]!;
        done.set(keys[k]!, results[r]!);
        if (resumeFile) appendFileSync(resumeFile, `${JSON.stringify({ key: keys[k], values: results[r] })}\n`);
      });
    });
    return keys.map((key) => done.get(key)!);
  };
  return Object.assign(runner, { reused: () => reused });
}

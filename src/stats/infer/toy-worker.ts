// Worker-thread side of toy-threads.ts: a group of toy batches of one model.
import { modelOf, type ModelRef } from '../model-cache.ts';
import { toyBatch } from './toys.ts';
import type { ToyJob } from './toy-limit.ts';

export default function run(task: { ref: ModelRef; jobs: ToyJob[] }): number[][] {
  const model = modelOf(task.ref);
  return task.jobs.map((j) => toyBatch(model, j.mu, Float64Array.from(j.pars), j.seed, j.count));
}

// Worker-thread side of threads/pool.ts: one group of work items of one model (toy batches, impact
// fits, scan points), answered in item order.
import { modelOf, type ModelRef } from '../model-cache.ts';
import { toyBatch } from '../infer/toys.ts';
import { impactShift } from '../infer/ranking.ts';
import { scanPoint } from '../infer/scan.ts';
import type { ToyJob } from '../infer/toy-limit.ts';

export interface ThreadKinds {
  toys: { item: ToyJob; extra: undefined; result: number[] };
  impact: { item: { index: number; value: number }; extra: { nominalPoi: number }; result: number };
  scan: { item: number[]; extra: { indices: number[] }; result: number };
}
export type ThreadKind = keyof ThreadKinds;

export interface ThreadTask<K extends ThreadKind = ThreadKind> { ref: ModelRef; kind: K; items: Array<ThreadKinds[K]['item']>; extra: ThreadKinds[K]['extra'] }

export default function run(task: ThreadTask): unknown[] {
  const model = modelOf(task.ref);
  switch (task.kind) {
    case 'toys': return (task as ThreadTask<'toys'>).items.map((j) => toyBatch(model, j.mu, Float64Array.from(j.pars), j.seed, j.count));
    case 'impact': {
      const t = task as ThreadTask<'impact'>;
      return t.items.map((f) => impactShift(model, f.index, f.value, t.extra.nominalPoi));
    }
    case 'scan': {
      const t = task as ThreadTask<'scan'>;
      return t.items.map((v) => scanPoint(model, t.extra.indices, v));
    }
  }
}

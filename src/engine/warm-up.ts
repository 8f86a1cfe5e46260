// Workers warmed ahead of a global node that draws on the pool (plot: jsroot, jsdom, resvg and its
// fonts, ~1-2 s per thread). When one of the node's inputs starts computing, each worker runs the
// kind's `warmUp` once, so the loading overlaps the main thread's fit and limit instead of
// delaying the node's first figure. Nothing is warmed in a run that recomputes nothing upstream
// (no input starts), with --workers 0 or with remote workers.
import type { Subject } from 'rxjs';
import type { RunEvent } from './events.ts';
import type { GlobalNodeKind } from './node-kind.ts';
import { WARM_UP_TASK } from './pool.ts';
import type { RunContext } from './run-context.ts';

/** Starts watching the run's events; returns the function that stops it. */
export function warmUpAhead(run: RunContext, events: Subject<RunEvent>): () => void {
  const { opts } = run;
  if (opts.workers === 0 || opts.remoteWorkers || !opts.makePool) return () => {};
  const readers = new Map<string, string[]>(); // input -> nodes to warm up when it starts
  for (const n of run.plan.order) {
    if (n.role !== 'global' || typeof (n.kind as GlobalNodeKind).warmUp !== 'function') continue;
    for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n.name]);
  }
  if (!readers.size) return () => {};
  const warmed = new Set<string>();
  const sub = events.subscribe((e) => {
    if (e.type !== 'node-start') return;
    for (const node of readers.get(e.node) ?? []) {
      if (warmed.has(node)) continue;
      warmed.add(node);
      const pool = run.workerPool()!;
      // one per worker (an idle worker takes the next task); a failed warm-up only costs time
      for (let w = 0; w < opts.workers; w++) {
        pool.runNodeTask({ type: 'node-task', graphPath: run.g.path, sets: opts.sets, node, task: WARM_UP_TASK, item: null }, opts.signal).catch(() => {});
      }
    }
  });
  return () => sub.unsubscribe();
}

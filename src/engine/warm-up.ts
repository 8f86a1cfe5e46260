// Workers warmed ahead of a global node that draws on the pool (plot: jsroot, jsdom, resvg and its
// fonts, ~1-2 s per thread). When one of the node's inputs starts computing, each worker runs the
// kind's `warmUp` once, so the loading overlaps the main thread's fit instead of delaying the
// node's first figure. While another node that puts items on the pool runs (a kind with `tasks`:
// the limit's CLs scan), the warm-up waits for it: it would queue in front of that node's items
// and slow its pace. The nodes that start together (fit and limit after the workspace) are all
// seen before the warm-up is sent (the next turn of the event loop).
// Nothing is warmed in a run that recomputes nothing upstream (no input starts), with --workers 0
// or with remote workers.
import type { Subject } from 'rxjs';
import type { RunEvent } from './events.ts';
import type { GlobalNodeKind } from './node-kind.ts';
import { WARM_UP_TASK } from './pool.ts';
import type { RunContext } from './run-context.ts';

/** Starts watching the run's events; returns the function that stops it. */
export function warmUpAhead(run: RunContext, events: Subject<RunEvent>): () => void {
  const { opts, plan } = run;
  if (opts.workers === 0 || opts.remoteWorkers || !opts.makePool) return () => {};
  const readers = new Map<string, string[]>(); // input -> nodes to warm up when it starts
  for (const n of plan.order) {
    if (n.role !== 'global' || typeof (n.kind as GlobalNodeKind).warmUp !== 'function') continue;
    for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n.name]);
  }
  if (!readers.size) return () => {};
  const usesPool = (node: string) => plan.nodes.get(node)?.kind.tasks !== undefined;
  const requested = new Set<string>();
  const waiting: string[] = [];
  const running = new Set<string>(); // nodes with pool items of their own, running now
  let scheduled = false;
  let stopped = false;
  const send = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const flush = () => {
    scheduled = false;
    if (stopped || running.size || opts.signal.aborted) return;
    for (const node of waiting.splice(0)) {
      const pool = run.workerPool()!;
      // one per worker (an idle worker takes the next task); a failed warm-up only costs time
      for (let w = 0; w < opts.workers; w++) {
        pool.runNodeTask({ type: 'node-task', graphPath: run.g.path, sets: opts.sets, node, task: WARM_UP_TASK, item: null }, opts.signal).catch(() => {});
      }
    }
  };
  const sub = events.subscribe((e) => {
    if (!('node' in e) || e.node === undefined) return;
    if (e.type === 'node-start') {
      if (usesPool(e.node) && !requested.has(e.node)) running.add(e.node);
      for (const node of readers.get(e.node) ?? []) {
        if (requested.has(node)) continue;
        requested.add(node);
        waiting.push(node);
      }
      send();
    } else if (e.type === 'node-done' || e.type === 'node-failed' || e.type === 'node-cached' || e.type === 'node-skipped') {
      if (running.delete(e.node)) send();
    }
  });
  return () => {
    stopped = true;
    sub.unsubscribe();
  };
}

// The NodeContext handed to a global node's `run`: progress, memoised sub-results and
// `ctx.parallel` (items on the worker pool, or in this thread with --workers 0), all keyed under
// the node's cache key so an interrupted scan resumes from its finished items.
//
// The node's `node-start` is sent from here: at once for a cacheable kind, and for a volatile kind
// (generate, fetch) at its first progress, so that a volatile node doing work (generating samples)
// shows running while it does, and one that only probes the world stays quiet until it is known
// to be unchanged.
import { mapLimit } from './chunk-plan.ts';
import { callInterruptibly } from './interrupt.ts';
import { memoKey } from './keys.ts';
import type { RecomputeReason } from './events.ts';
import type { GlobalNodeKind, NodeContext } from './node-kind.ts';
import type { NodeTaskResult } from './pool.ts';
import type { RunContext } from './run-context.ts';
import type { PlanNode } from './validate.ts';

/** The context of one global node's run, and `started()`: whether its node-start was sent. */
export function nodeContext(run: RunContext, n: PlanNode, key: string, reason: RecomputeReason): { ctx: NodeContext; started: () => boolean } {
  const kind = n.kind as GlobalNodeKind;
  const { store, opts } = run;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    run.emit({ type: 'node-start', node: n.name, kind: kind.kind, reason });
  };
  if (!kind.volatile) start();
  const progress = (done: number, total: number, unit: string, worker?: string) => {
    start();
    run.emit({ type: 'node-progress', node: n.name, done, total, unit, ...(worker ? { worker } : {}) });
  };
  const label = { graph: run.plan.graph, node: n.name, kind: 'memo' };
  const memoised = async <T>(k: unknown, fn: () => Promise<T> | T): Promise<T> => {
    if (!store) return fn();
    const mk = memoKey(key, k);
    const hit = store.get(mk);
    if (hit) return (hit.meta as { v: T }).v;
    const v = await fn();
    await store.put({ key: mk, label, meta: { v }, payloads: [] });
    return v;
  };
  const runItem = async (task: string, item: unknown, local: boolean): Promise<NodeTaskResult> => {
    // `local` items never go to remote workers (files this process reads next; long module loads)
    const pool = local && opts.remoteWorkers ? undefined : run.workerPool();
    if (!pool) return { value: await callInterruptibly(() => kind.tasks![task]!(item, n.params), { signals: true, timeoutMs: opts.taskTimeoutMs }) };
    const t = opts.taskTimeoutMs;
    const signal = t ? AbortSignal.any([opts.signal, AbortSignal.timeout(2 * t + 5000)]) : opts.signal;
    return pool.runNodeTask({ type: 'node-task', graphPath: run.g.path, sets: opts.sets, node: n.name, task, item, ...(t ? { timeoutMs: t } : {}) }, signal);
  };
  const ctx: NodeContext = {
    ...run.baseCtx(n.name),
    workers: opts.workers,
    cacheDir: opts.cacheDir,
    skipBadFiles: opts.skipBadFiles,
    progress: (done, total, unit = 'steps') => progress(done, total, unit),
    memo: memoised,
    memoTable: (name) => store?.memo?.(name),
    parallel: async <T, R>(task: string, items: readonly T[], popts: { memo?: boolean; local?: boolean } = {}): Promise<R[]> => {
      if (typeof kind.tasks?.[task] !== 'function') throw new Error(`node '${n.name}' (${kind.kind}): no task '${task}'`);
      let done = 0;
      const one = async (item: T): Promise<R> => {
        run.checkCancel();
        let worker: string | undefined;
        const compute = async () => {
          const r = await runItem(task, item, popts.local ?? false);
          worker = r.worker;
          return r.value;
        };
        const v = (popts.memo ? await memoised([task, item], compute) : await compute()) as R;
        progress(++done, items.length, task, worker);
        return v;
      };
      return mapLimit(items, Math.max(1, opts.workers) * 2, one);
    },
  };
  return { ctx, started: () => started };
}

// The NodeContext handed to a global node's `run`: progress, memoised sub-results and
// `ctx.parallel` (items on the worker pool, or in this thread with --workers 0), all keyed under
// the node's cache key so an interrupted scan resumes from its finished items.
import { mapLimit } from './chunk-plan.ts';
import { callInterruptibly } from './interrupt.ts';
import { memoKey } from './keys.ts';
import type { GlobalNodeKind, NodeContext } from './node-kind.ts';
import type { RunContext } from './run-context.ts';
import type { PlanNode } from './validate.ts';

export function nodeContext(run: RunContext, n: PlanNode, key: string): NodeContext {
  const kind = n.kind as GlobalNodeKind;
  const { store, opts } = run;
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
  const runItem = async (task: string, item: unknown): Promise<unknown> => {
    const pool = run.workerPool();
    if (!pool) return callInterruptibly(() => kind.tasks![task]!(item, n.params), { signals: true, timeoutMs: opts.taskTimeoutMs });
    const t = opts.taskTimeoutMs;
    const signal = t ? AbortSignal.any([opts.signal, AbortSignal.timeout(2 * t + 5000)]) : opts.signal;
    return pool.runNodeTask({ type: 'node-task', graphPath: run.g.path, sets: opts.sets, node: n.name, task, item, ...(t ? { timeoutMs: t } : {}) }, signal);
  };
  return {
    ...run.baseCtx(n.name),
    workers: opts.workers,
    cacheDir: opts.cacheDir,
    skipBadFiles: opts.skipBadFiles,
    progress: (done, total, unit = 'steps') => run.emit({ type: 'node-progress', node: n.name, done, total, unit }),
    memo: memoised,
    memoTable: (name) => store?.memo?.(name),
    parallel: async <T, R>(task: string, items: readonly T[], popts: { memo?: boolean } = {}): Promise<R[]> => {
      if (typeof kind.tasks?.[task] !== 'function') throw new Error(`node '${n.name}' (${kind.kind}): no task '${task}'`);
      let done = 0;
      const one = async (item: T): Promise<R> => {
        run.checkCancel();
        const v = (popts.memo ? await memoised([task, item], () => runItem(task, item)) : await runItem(task, item)) as R;
        run.emit({ type: 'node-progress', node: n.name, done: ++done, total: items.length, unit: task });
        return v;
      };
      return mapLimit(items, Math.max(1, opts.workers) * 2, one);
    },
  };
}

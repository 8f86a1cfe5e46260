// The executor: walks a validated plan, starting each global node (global-node.ts) and each chunk
// group (chunk-group.ts) as a promise that awaits its inputs, so independent branches run
// concurrently; then ends the run with its run-done event. The parts share one RunContext
// (run-context.ts); docs/engine.md has the map of the modules.
import type { Subject } from 'rxjs';
import { runGroup } from './chunk-group.ts';
import type { RunEvent } from './events.ts';
import { runGlobal } from './global-node.ts';
import { clearInterrupt, RunCancelled } from './interrupt.ts';
import type { LoadedGraph } from './load.ts';
import { RunContext, type RunOptions, type RunSummary } from './run-context.ts';

export { RunCancelled } from './interrupt.ts';
export type { RunOptions, RunSummary } from './run-context.ts';

export async function executeGraph(g: LoadedGraph, opts: RunOptions, events: Subject<RunEvent>): Promise<RunSummary> {
  const t0 = performance.now();
  clearInterrupt();
  // the run's own signal: aborted by the caller's, and by a cancellation seen anywhere (a SIGINT
  // that stopped user code in this thread never reaches the caller's listener)
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  if (opts.signal.aborted) abort.abort();
  const run = await RunContext.create(g, { ...opts, signal: abort.signal }, events);
  const { plan } = run;
  run.emit({ type: 'run-start', graph: plan.graph, file: g.file, nodes: plan.order.map((n) => n.name), workers: opts.workers, cacheDir: opts.cacheDir });
  for (const n of plan.order) run.emit({ type: 'node-queued', node: n.name, kind: n.kind.kind });

  let cancelled = false;
  try {
    for (const n of plan.order) {
      if (n.role === 'global') run.results.set(n.name, runGlobal(run, n));
      else if (n.role === 'source') {
        const group = runGroup(run, n);
        for (const m of plan.groups.get(n.name)!) run.results.set(m.name, group.then((r) => r.get(m.name)!));
      }
    }
    // Promise.all below rejects on the first cancellation; the others must not become unhandled
    for (const p of run.results.values()) p.catch(() => {});
    await Promise.all(run.results.values());
  } catch (err) {
    if (!(err instanceof RunCancelled)) throw err;
    cancelled = true;
    abort.abort();
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    await run.destroyPool();
  }
  const { summary, skippedFiles } = run;
  const ok = !cancelled && plan.order.every((n) => summary[n.name]?.status === 'cached' || summary[n.name]?.status === 'computed');
  const done: RunSummary = {
    type: 'run-done', ok, ...(cancelled ? { interrupted: true } : {}), seconds: (performance.now() - t0) / 1000, nodes: summary,
    ...(skippedFiles.length ? { skippedFiles: skippedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) } : {}),
    ...(run.readTotals.summary() ? { read: run.readTotals.summary() } : {}),
    ...(run.workerStats() ? { workers: run.workerStats() } : {}), t: Date.now(),
  };
  events.next(done);
  if (cancelled) throw new RunCancelled();
  return done;
}

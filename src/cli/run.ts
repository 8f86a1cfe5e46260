// `flow run GRAPH.ts`: load and validate the graph, run it with the cache and the worker pool, show
// progress on the chosen UI. Exit 0 when every node is cached or computed, 1 when a node failed,
// 130 on Ctrl-C (nothing partial is written; the next run resumes from the cache).
import '../engine/compile-cache.ts';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
// the one class, not rxjs's index (its ~220 CommonJS modules cost ~50-100 ms of every run)
import { Subject } from 'rxjs/internal/Subject';
import { UserError } from '../errors.ts';
import { intOption, parseCommandArgs } from './parse-args.ts';
import { checkWritableDir } from './writable-dir.ts';
import type { RunEvent } from '../engine/events.ts';
import { parseSetArgs } from '../engine/params.ts';

export const HELP = `usage: flow run GRAPH.ts [options]

Run an analysis graph: cached (content-addressed, per chunk for event-level nodes), in parallel.

options:
  --set NAME=VALUE     set a graph parameter (repeatable; parsed by the graph's zod schema)
  --out DIR            output directory (default out/<graph name>/)
  --workers N          worker threads (default and maximum: ${availableParallelism()}, the number of cores; 0 = main thread)
  --force NODE         recompute NODE and everything downstream of it (repeatable)
  --no-cache           neither read nor write the cache
  --cache-dir DIR      cache directory (default $FLOW_CACHE_DIR or .flow-cache/)
  --ui ink|plain|json  progress display (default: ink on a terminal, plain otherwise and in CI)
  --retries N          retries of a failing chunk (default 1)
  --chunk-size N       target entries per chunk (default 200000)
  --skip-bad-files     skip unreadable files / chunks and list them in the summary
  --task-timeout S     fail a chunk whose node code runs longer than S seconds (default: no limit)
  --strict             a warning of node code (a NaN or infinite weight, a fit that did not
                       converge, a file fetch skipped) fails its node, naming node and chunk
  --executor URL       run chunk tasks on \`flow worker\` processes through Redis:
                       redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// (default $FLOW_EXECUTOR)
  --workers-timeout S  with --executor: fail when no worker is connected for S seconds (default 120)
  --blob-dir DIR       with --executor: shared directory for large cache blobs (default: in Redis)
  -h, --help           this help`;

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs('run', argv, {
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
    workers: { type: 'string' },
    force: { type: 'string', multiple: true, default: [] },
    'no-cache': { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    ui: { type: 'string' },
    retries: { type: 'string' },
    'chunk-size': { type: 'string' },
    'skip-bad-files': { type: 'boolean', default: false },
    'task-timeout': { type: 'string' },
    strict: { type: 'boolean', default: false },
    executor: { type: 'string' },
    'workers-timeout': { type: 'string' },
    'blob-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const o = args.values;
  if (o.help) {
    console.log(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UserError('run: expected one graph file (flow run GRAPH.ts; --help for options)');
  const ui = o.ui ?? undefined;
  if (ui !== undefined && ui !== 'ink' && ui !== 'plain' && ui !== 'json') throw new UserError(`--ui: expected ink, plain or json, got "${ui}"`);
  // warnings found before the display is attached (a capped flag, the store's) are held for it
  const early: string[] = [];
  const cores = availableParallelism();
  let workers = intOption('workers', o.workers, cores, 0);
  if (workers > cores) {
    // each worker holds its chunks in memory: more threads than cores only costs memory
    early.push(`--workers ${workers} is more than the ${cores} cores of this machine: using ${cores}`);
    workers = cores;
  }
  const retries = intOption('retries', o.retries, 1, 0);
  const chunkSize = intOption('chunk-size', o['chunk-size'], 200_000, 1);
  const taskTimeout = o['task-timeout'] === undefined ? undefined : Number(o['task-timeout']);
  if (taskTimeout !== undefined && !(taskTimeout > 0 && Number.isFinite(taskTimeout))) throw new UserError(`--task-timeout: expected a number of seconds > 0, got "${o['task-timeout']}"`);
  // FLOW_IN_THREAD_EVENTS=N: re-fills from cached skims up to N events stay in this thread (0: never)
  const inThreadEnv = process.env.FLOW_IN_THREAD_EVENTS;
  const inThreadMaxEvents = inThreadEnv === undefined ? undefined : Number(inThreadEnv);
  if (inThreadMaxEvents !== undefined && !(Number.isInteger(inThreadMaxEvents) && inThreadMaxEvents >= 0)) throw new UserError(`FLOW_IN_THREAD_EVENTS: expected an integer >= 0, got "${inThreadEnv}"`);
  const sets = parseSetArgs(o.set);
  const executor = o.executor ?? (process.env.FLOW_EXECUTOR || undefined);
  const workersTimeout = intOption('workers-timeout', o['workers-timeout'], 120, 1);
  // a bad URL is one line before the graph is loaded; an unreachable Redis within the connect deadline
  const scaleout = executor ? await import('../scaleout/coordinator.ts') : undefined;
  if (executor) (await import('../scaleout/connection.ts')).parseExecutorUrl(executor);

  // zod compiles a fast parser per object schema on its first parse (new Function): worth it for a
  // schema parsed many times, not for params parsed once per run (~30 ms of a no-change re-run)
  (await import('zod')).z.config({ jitless: true });
  const { loadGraph } = await import('../engine/load.ts');
  const g = await loadGraph(args.positionals[0]!, sets);
  for (const f of o.force) {
    if (!g.plan.nodes.has(f)) throw new UserError(`--force ${f}: no such node in ${g.file} (nodes: ${g.plan.order.map((n) => n.name).join(', ')})`);
  }
  const outDir = resolve(o.out ?? `out/${g.plan.graph}`);
  checkWritableDir(outDir, '--out');
  const { resolveCacheDir } = await import('../../cache/location.ts');
  const cacheDir = o['no-cache'] ? null : resolveCacheDir(o['cache-dir']);
  if (cacheDir) checkWritableDir(cacheDir, '--cache-dir');
  // the store's warnings (a corrupt entry dropped, a damaged index replaced) go to the run's events
  let warn = (message: string): void => void early.push(message);
  const local = cacheDir ? await (await import('../../cache/store.ts')).openStore(cacheDir, { onWarning: (m) => warn(m) }) : null;

  const events = new Subject<RunEvent>();
  const coordinator = scaleout && executor
    ? await scaleout.startCoordinator(await scaleout.openExecutor(executor), g, {
        executor, local, blobDir: o['blob-dir'] ? resolve(o['blob-dir']) : null, workersTimeoutMs: workersTimeout * 1000, sets, emit: (e) => events.next(e),
      }).catch(async (err: unknown) => {
        await local?.close();
        throw err;
      })
    : undefined;
  const store = coordinator ? coordinator.store : local;
  const view = await attachView(events, ui);
  warn = (message) => events.next({ type: 'warning', message, t: Date.now() });
  for (const m of early) warn(m);

  const words = await lastWordsOf(events, ui === 'json', g.plan.graph);
  const abort = new AbortController();
  let interrupts = 0;
  let signalCode = 130;
  const onSigint = (sig: NodeJS.Signals) => {
    interrupts++;
    signalCode = sig === 'SIGTERM' ? 143 : 130;
    // second Ctrl-C: leave now (the cache is still consistent; the run-done line is the last words')
    if (interrupts > 1) process.exit(signalCode);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const { executeGraph, RunCancelled } = await import('../engine/executor.ts');
  const { piscinaPool } = await import('../engine/pool.ts');
  let code: number;
  try {
    const summary = await executeGraph(g, {
      // remote: `workers` is the number of jobs kept in flight on the queue
      workers: coordinator ? Math.max(workers, 64) : workers, store, cacheDir, outDir, force: o.force, retries, chunkSize, skipBadFiles: o['skip-bad-files'],
      signal: abort.signal, sets, makePool: coordinator ? coordinator.makePool : piscinaPool, inThreadMaxEvents, strict: o.strict,
      ...(taskTimeout !== undefined ? { taskTimeoutMs: Math.round(taskTimeout * 1000) } : {}),
    }, events);
    code = summary.ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof RunCancelled)) {
      events.error(err);
      await view.done.catch(() => {});
      words.disarm();
      throw err;
    }
    code = signalCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await store?.close();
    await coordinator?.close();
  }
  events.complete();
  await view.done;
  words.disarm();
  // the run is over: a timer or socket node code left open (a cancelled node's) does not keep the process
  setTimeout(() => process.exit(), 1000).unref();
  return code;
}

/** A default-dashboard run over within this many ms prints plain lines instead (src/ui/index.ts). */
const INK_AFTER_MS = 400;

/** The run's last line should the process end before the run writes it (src/cli/last-words.ts):
 *  armed before every call of node code that blocks this thread. */
async function lastWordsOf(events: Subject<RunEvent>, json: boolean, graph: string): Promise<{ disarm(): void }> {
  const [{ lastWords }, { initialState, reduce }, { synthesizeRunDone }, { setBlockingCallHook }] = await Promise.all([
    import('./last-words.ts'), import('../ui/state.ts'), import('../ui/run-report.ts'), import('../engine/interrupt.ts'),
  ]);
  let state = initialState();
  events.subscribe({ next: (e) => void (state = reduce(state, e)), error: () => {} });
  const words = lastWords(() => {
    if (json) return JSON.stringify({ ...synthesizeRunDone({ ...state, now: Date.now() }), interrupted: true });
    const running = state.order.filter((n) => state.nodes[n]!.phase === 'running');
    return `run ${graph} INTERRUPTED: the process ended while ${running.length ? `node ${running.map((n) => `'${n}'`).join(', ')}` : 'the run'} ran; finished chunks are cached: run again to resume`;
  });
  setBlockingCallHook(() => words.arm());
  return {
    disarm() {
      setBlockingCallHook(undefined);
      words.disarm();
    },
  };
}

/** The UI from src/ui/; if it cannot load, minimal NDJSON / plain lines so a run is never blocked by
 *  its display. */
async function attachView(events: Subject<RunEvent>, ui: 'ink' | 'plain' | 'json' | undefined): Promise<{ done: Promise<void> }> {
  try {
    const { attachUi, defaultUiMode } = await import('../ui/index.ts');
    // the default dashboard waits for a run that lasts (a no-change re-run would spend more on
    // loading Ink than on itself); --ui ink asks for it at once
    return attachUi(events, ui ?? defaultUiMode(process.stdout, process.env), { inkAfterMs: ui === undefined ? INK_AFTER_MS : 0 });
  } catch (err) {
    console.error(`flow: the run display failed to load (${(err as Error).message.split('\n')[0]}); printing plain events`);
    const done = new Promise<void>((res) => {
      events.subscribe({
        next: (e) => console.log(ui === 'json' ? JSON.stringify(e) : `${e.type}${'node' in e ? ` ${e.node}` : ''}`),
        complete: res,
        error: () => res(),
      });
    });
    return { done };
  }
}

// `flow worker redis://HOST:PORT`: a worker process serving every run on that Redis (see
// src/scaleout/). Runs until SIGTERM / Ctrl-C, then finishes its jobs and says goodbye.
import '../engine/compile-cache.ts';
import { hostname } from 'node:os';
import { UserError } from '../errors.ts';
import { intOption, parseCommandArgs } from './parse-args.ts';
import { checkWritableDir } from './writable-dir.ts';

export const HELP = `usage: flow worker redis://[:PASSWORD@]HOST:PORT[/DB] [options]

Serve the chunk tasks and scan points of every \`flow run --executor\` on that Redis
(rediss:// for TLS; the URL may also come from $FLOW_EXECUTOR).

options:
  --concurrency N     jobs at a time in this process (default 1; start one process per core)
  --cache-dir DIR     this worker's own LMDB cache (default $FLOW_CACHE_DIR or .flow-cache/)
  --no-cache          no local cache (the shared cache on Redis is still read and written)
  --blob-dir DIR      shared directory for large cache blobs (default: the run's, or Redis)
  --id ID             worker name in events and summaries (default HOST-PID)
  --lock-ms MS        BullMQ job lock (default 30000: a job whose worker died is re-delivered after it)
  --stalled-ms MS     BullMQ stalled-job check interval (default 15000)
  --verbose           log every job as it starts
  -h, --help          this help`;

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs('worker', argv, {
    concurrency: { type: 'string' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'blob-dir': { type: 'string' },
    id: { type: 'string' },
    'lock-ms': { type: 'string' },
    'stalled-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const o = args.values;
  if (o.help) {
    console.log(HELP);
    return 0;
  }
  const raw = args.positionals[0] ?? process.env.FLOW_EXECUTOR;
  if (!raw || args.positionals.length > 1) throw new UserError('worker: expected one Redis URL (flow worker redis://HOST:PORT; --help for options)');
  const slots = intOption('concurrency', o.concurrency, 1, 1);
  const lockMs = intOption('lock-ms', o['lock-ms'], 30_000, 100);
  const stalledMs = intOption('stalled-ms', o['stalled-ms'], 15_000, 100);
  const { parseExecutorUrl, connectChecked } = await import('../scaleout/connection.ts');
  const url = parseExecutorUrl(raw, 'worker');
  const redis = await connectChecked(url);
  const { resolveCacheDir } = await import('../../cache/location.ts');
  const cacheDir = resolveCacheDir(o['cache-dir']);
  checkWritableDir(cacheDir, '--cache-dir');
  const local = o['no-cache'] ? null : await (await import('../../cache/store.ts')).openStore(cacheDir);
  const id = o.id ?? `${hostname()}-${process.pid}`;
  const log = (line: string) => console.log(`flow worker ${id}: ${line}`);
  const { startWorker } = await import('../scaleout/worker-loop.ts');
  const w = await startWorker({ url, redis, slots, local, cacheDir, blobDir: o['blob-dir'] ?? null, id, lockMs, stalledMs, log, verbose: o.verbose });
  log(`serving ${url.shown} (${slots} slot${slots === 1 ? '' : 's'}, cache ${local ? cacheDir : 'none'})`);
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  log('stopping');
  await w.stop();
  await local?.close();
  redis.disconnect();
  // BullMQ's connections retry a vanished Redis on timers of their own: do not linger for them
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

// Scale-out test harness: a private redis-server on 127.0.0.1 (free port, temp dir) and `flow
// worker` / `flow run` child processes. Every wait is bounded in time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = process.execPath;
const CLI = join(ROOT, 'cli.ts');

export const redisMissing: string | false = spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed (apt-get install redis-server)' : false;

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `hf-so-${tag}-`));
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}`);
}

const answers = (port: number): Promise<boolean> =>
  new Promise((res) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), res(true)));
    c.once('error', () => res(false));
  });

export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRedis(o: { persist?: boolean; password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = tempDir('redis');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...(o.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...(o.password ? ['--requirepass', o.password] : [])];
  let proc: ChildProcess;
  const up = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    await until(`redis-server on port ${port}`, 10_000, () => answers(port));
  };
  const down = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  await up();
  return { port, dir, url: `redis://${o.password ? `:${o.password}@` : ''}127.0.0.1:${port}`, stop: down, restart: async () => (await down(), await up()) };
}

export interface TestProc {
  proc: ChildProcess;
  out(): string;
  err(): string;
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  exited(ms?: number): Promise<number | null>;
  kill(sig?: NodeJS.Signals): Promise<void>;
}

export function spawnFlow(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): TestProc {
  const proc = spawn(NODE, [CLI, ...args], { cwd: o.cwd ?? ROOT, env: { ...process.env, FORCE_COLOR: '0', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = (ms = 300_000): Promise<number | null> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve(proc.exitCode)
      : Promise.race([new Promise<number | null>((r) => proc.once('exit', (c) => r(c))), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`flow ${args[0]} did not exit within ${ms / 1000}s\n${out}\n${err}`)), ms).unref())]);
  return {
    proc, out: () => out, err: () => err, exited,
    waitFor: (text, ms = 60_000) => until(`"${text}" from flow ${args[0]} (got: ${out.slice(-500)} ${err.slice(-500)})`, ms, () => (typeof text === 'string' ? out.includes(text) : text.test(out))),
    kill: async (sig = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(sig);
      await exited(20_000).catch(() => proc.kill('SIGKILL'));
    },
  };
}

/** A `flow worker` in its own temp cwd with its own cache dir (short BullMQ lock and stall check). */
export async function startWorkerProc(url: string, o: { env?: Record<string, string>; id?: string } = {}): Promise<TestProc & { cacheDir: string; cwd: string }> {
  const cwd = tempDir('worker');
  const cacheDir = join(cwd, 'cache');
  mkdirSync(cacheDir);
  const w = spawnFlow(['worker', url, '--cache-dir', cacheDir, '--lock-ms', '3000', '--stalled-ms', '1000', '--verbose', ...(o.id ? ['--id', o.id] : [])], { cwd, env: o.env });
  await w.waitFor('serving redis', 30_000);
  return Object.assign(w, { cacheDir, cwd });
}

export function runFlow(args: string[], o: { cwd?: string; env?: Record<string, string>; ms?: number } = {}): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawnFlow(args, o);
  return p.exited(o.ms).then((code) => ({ code, out: p.out(), err: p.err() }));
}

/** The run-done event of a `--ui json` run. */
export function runDone(out: string): { ok: boolean; nodes: Record<string, { status: string; events?: number; cached_chunks?: number; chunks?: number }>; workers?: Record<string, { host: string; chunks: number; events: number }> } {
  const line = out.split('\n').find((l) => l.startsWith('{"type":"run-done"'));
  if (!line) throw new Error(`no run-done in:\n${out.slice(-2000)}`);
  return JSON.parse(line);
}

/** A small graph outside the checkout with a local import (shipped to the workers with it).
 *  HF_TEST_STALL_MS slows every fill on a worker; HF_TEST_HANG makes a worker hang in its first one. */
export function writeTestGraph(): string {
  const dir = tempDir('graph');
  writeFileSync(join(dir, 'cuts.ts'), `export const MIN_JETS = 2;
export function stall(): void {
  const ms = process.env.HF_TEST_HANG ? 600_000 : Number(process.env.HF_TEST_STALL_MS ?? 0);
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy: the worker's event loop is blocked, as by real work */ }
}
`);
  writeFileSync(join(dir, 'sotest.ts'), `import { graph, z, regular, strCategory, ge, type FillFn } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { MIN_JETS, stall } from './cuts.ts';
export default graph('sotest', { params: z.object({ events: z.number().int().positive().default(20_000), bins: z.number().default(40) }) }, (g, p) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: p.events } } });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass'], where: (e: { nJet: number }) => e.nJet >= MIN_JETS });
  const hists = g.fill('mjj', events, {
    histograms: { mjj: [regular(p.bins, 0, 200, { name: 'mjj' }), strCategory([], { name: 'process', growth: true })] },
    fill: ((ev, h, { sample, weight }) => {
      stall();
      const jets = ev.collection('Jet');
      const good = jets.filter(jets.pt.gt(30));
      const pairs = good.selectEvents(ge(good.counts(), 2));
      const mjj = pairs.p4().sumCombinations(pairs.combinations(2)).mass();
      h.mjj!.fill({ mjj: mjj.content, process: sample.process }, weight);
    }) satisfies FillFn,
    lumi: 1000,
  });
  g.merge('all', hists, { output: { root: 'histograms.root', json: 'histograms.json' } });
});
`);
  return join(dir, 'sotest.ts');
}

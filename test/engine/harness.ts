// Helpers for engine tests: a temp project with float64 input files, a toy graph written from a
// template, and `flow run` in a child process with --ui json.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'cli.ts');

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `hepflow-${tag}-`));
}

/** Deterministic values in [0, 1) (xorshift), written as little-endian float64. */
export function writeFloats(path: string, n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = s / 4294967296;
  }
  writeFileSync(path, new Uint8Array(a.buffer));
  return a;
}

export interface ToyGraphOptions {
  /** Source of the map function. */
  mapFn?: string;
  slowMs?: number;
  fail?: string;
  /** fetch's own skipBadFiles */
  skipBadFiles?: boolean;
  /** file name the summary node writes */
  summaryFile?: string;
  /** module-level code before the graph (constants the functions use) */
  preamble?: string;
}

export function writeToyGraph(dir: string, o: ToyGraphOptions = {}): string {
  const src = `import { graph, z } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { toySource, toyMap, toyHist, toySummary, toyTotal } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
${o.preamble ?? ''}
export default graph('toy', { params: z.object({ bins: z.number().int().default(10), data: z.string().default('data') }) }, (g, p) => {
  const files = g.fetch('inputs', { files: p.data + '/*.f64'${o.skipBadFiles ? ', skipBadFiles: true' : ''} });
  const ev = g.node(toySource, 'read', files, { slowMs: ${o.slowMs ?? 0}${o.fail ? `, fail: ${JSON.stringify(o.fail)}` : ''} });
  const m = g.node(toyMap, 'map', ev, { f: ${o.mapFn ?? '(x) => x * 2'} });
  const h = g.node(toyHist, 'hist', m, { bins: p.bins, lo: 0, hi: 2 });
  const raw = g.node(toyHist, 'hist-raw', ev, { bins: 4, lo: 0, hi: 1 });
  g.node(toySummary, 'summary', [h, raw], { ${o.summaryFile ? `file: ${JSON.stringify(o.summaryFile)}` : ''} });
  g.node(toyTotal, 'total', h, {});
});
`;
  const path = join(dir, 'toy.ts');
  writeFileSync(path, src);
  return path;
}

export function makeToyProject(tag: string, files = 3, entries = 12000): string {
  const dir = tempDir(tag);
  mkdirSync(join(dir, 'data'));
  for (let i = 0; i < files; i++) writeFloats(join(dir, 'data', `f${i}.f64`), entries, 1000 + i);
  writeToyGraph(dir);
  return dir;
}

export interface FlowResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: any[];
}

export function flow(args: string[], cwd: string, opts: { onEvent?: (e: any, kill: () => void) => void; env?: Record<string, string> } = {}): Promise<FlowResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: '1', FLOW_CACHE_DIR: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    const events: any[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const e = JSON.parse(line);
          events.push(e);
          opts.onEvent?.(e, () => child.kill('SIGKILL'));
        } catch {
          /* not json (plain ui) */
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, events }));
  });
}

export function runToy(dir: string, extra: string[] = [], opts: Parameters<typeof flow>[2] = {}): Promise<FlowResult> {
  return flow(['run', 'toy.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--chunk-size', '5000', '--workers', '1', ...extra], dir, opts);
}

/** chunk-done events per node. */
export function computedChunks(r: FlowResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of r.events) if (e.type === 'chunk-done' && !e.cached) (out[e.node] ??= []).push(e.chunk);
  return out;
}

export function runDone(r: FlowResult): any {
  const last = r.events.at(-1);
  if (!last || last.type !== 'run-done') throw new Error(`no run-done event; stderr: ${r.stderr}\nstdout: ${r.stdout.slice(-2000)}`);
  return last;
}

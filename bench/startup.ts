// Whole-process start-up figures (`npm run bench -- startup`): what a user waits for from `flow ...`
// to the prompt, as separate processes through bin/flow.mjs (the `flow` command), each beside the
// floor measured in the same run (`node -e 0`: a process that loads nothing). Wall is the median of
// the runs; CPU (user + system of the whole process, from its own resourceUsage at exit) is robust to
// a loaded machine. Figures:
//  - startup.floor_*: `node -e 0` and `flow --help` (the CLI with no command loaded)
//  - startup.{inspect,fit,limit}_{small,sbottom}_*: the stats commands on pyhf references
//  - startup.hzz_cold_s / hzz_noop_* / hzz_noop_fraction: graphs/hzz.ts cold, then re-run unchanged
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Figure { name: string; value: number; unit: string; note?: string }
interface Usage { wall: number; cpu: number }

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FLOW = join(ROOT, 'bin', 'flow.mjs');
const REFS = join(ROOT, '..', 'shared', 'refs', 'pyhf');
const round = (x: number, d = 3): number => Number(x.toPrecision(d));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One process `node [--import usage] ARGS`; its wall time and its own CPU at exit. */
function once(args: string[], cwd: string, usageFile: string): Promise<Usage> {
  return new Promise((res, rej) => {
    const t = performance.now();
    // CI=1: plain output, as from a script; the default --ui would be the same here (no TTY)
    const p = spawn(process.execPath, ['--import', usageFile, ...args], { cwd, env: { ...process.env, CI: '1', FLOW_CACHE_DIR: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => {
      const wall = (performance.now() - t) / 1000;
      const m = /USAGE (\{.*\})/.exec(err);
      if (code !== 0 || !m) return rej(new Error(`node ${args.join(' ')} failed (${code}): ${err.slice(-500)}`));
      const u = JSON.parse(m[1]!) as { userCPUTime: number; systemCPUTime: number };
      res({ wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 });
    });
  });
}

/** Median wall and CPU over `runs` runs after one warm-up (which fills the compile cache). */
async function timed(args: string[], cwd: string, usageFile: string, runs: number): Promise<Usage> {
  await once(args, cwd, usageFile);
  const us: Usage[] = [];
  for (let i = 0; i < runs; i++) us.push(await once(args, cwd, usageFile));
  return { wall: median(us.map((u) => u.wall)), cpu: median(us.map((u) => u.cpu)) };
}

export async function run(opts: { json: boolean; quick: boolean }): Promise<Figure[]> {
  const out: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-bench-startup-'));
  const usage = join(dir, 'usage.mjs');
  writeFileSync(usage, `process.on('exit', () => process.stderr.write('\\nUSAGE ' + JSON.stringify(process.resourceUsage()) + '\\n'));\n`);
  const runs = opts.quick ? 5 : 9;
  try {
    const floor = await timed(['-e', '0'], dir, usage, runs);
    const help = await timed([FLOW, '--help'], dir, usage, runs);
    const floorNote = `floor node -e 0: ${round(floor.wall)} s wall, ${round(floor.cpu)} s CPU`;
    out.push({ name: 'startup.floor_node_s', value: round(floor.wall), unit: 's', note: `node -e 0, median of ${runs}; CPU ${round(floor.cpu)} s; load average ${loadavg()[0]!.toFixed(1)}` });
    out.push({ name: 'startup.floor_flow_help_s', value: round(help.wall), unit: 's', note: `flow --help (the CLI, no command loaded); CPU ${round(help.cpu)} s; ${floorNote}` });

    for (const [tag, ref] of [['small', 'docs_2bin_1channel'], ['sbottom', 'sbottom_regionA_1300_205_60']] as const) {
      const file = join(REFS, `${ref}.json`);
      if (!existsSync(file)) continue;
      const ws = join(dir, `${ref}.json`);
      writeFileSync(ws, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')).workspace));
      for (const cmd of ['inspect', 'fit', 'limit'] as const) {
        if (opts.quick && tag === 'sbottom' && cmd === 'limit') continue; // the sbottom limit scan alone takes seconds
        const u = await timed([FLOW, cmd, ws, ...(cmd === 'inspect' ? [] : ['--json'])], dir, usage, runs);
        out.push({ name: `startup.${cmd}_${tag}_s`, value: round(u.wall), unit: 's', note: `flow ${cmd} ${ref}, whole process, median of ${runs}; CPU ${round(u.cpu)} s; ${floorNote}` });
      }
    }

    // graphs/hzz.ts in its own cache: the cold run (sample generation included), then unchanged
    const events = opts.quick ? 20_000 : 100_000;
    const hzz = [FLOW, 'run', join(ROOT, 'graphs', 'hzz.ts'), '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--set', `events=${events}`];
    const cold = await once(hzz, dir, usage);
    const noop = await timed(hzz, dir, usage, runs);
    out.push({ name: 'startup.hzz_cold_s', value: round(cold.wall), unit: 's', note: `flow run graphs/hzz.ts --set events=${events}, empty cache; CPU ${round(cold.cpu)} s` });
    out.push({ name: 'startup.hzz_noop_s', value: round(noop.wall), unit: 's', note: `the same, nothing changed, median of ${runs}; ${floorNote}` });
    out.push({ name: 'startup.hzz_noop_cpu_s', value: round(noop.cpu), unit: 's', note: 'user + system CPU of that re-run (robust to a loaded machine)' });
    out.push({ name: 'startup.hzz_noop_fraction', value: round((100 * noop.wall) / cold.wall), unit: '%', note: 'of the cold run; target < 3%' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  const json = process.argv.includes('--json');
  for (const f of await run({ json, quick: process.argv.includes('--quick') })) console.log(json ? JSON.stringify(f) : `${f.name.padEnd(32)} ${String(f.value).padStart(8)} ${f.unit}  ${f.note ?? ''}`);
}

// Faults that interrupt a run before the harness re-runs it (test/faults/harness.ts): kill -9 or a
// signal at a seeded moment of a cold run, and issue 13 item 6's case, a run with other params
// killed midway. A signal must end the run with its run-done line and 130 / 143; kill -9 leaves
// nothing partial: the re-run gives the clean outputs.
import { rmSync } from 'node:fs';
import type { Fault, FaultContext, Rand } from './cache-faults.ts';

/** A stack trace in a run's output: never a clean error. */
export const STACK = /\n\s+at .+[:(]\d+:\d+\)?/;

/** A line of the cold run's stream at random (after run-start). */
const moment = (ctx: FaultContext, rand: Rand): number => 2 + Math.floor(rand() * Math.max(1, ctx.cleanLines - 2));

function signalled(signal: 'SIGINT' | 'SIGTERM'): Fault {
  const exit = signal === 'SIGINT' ? 130 : 143;
  return {
    name: `run: ${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} at a random moment of a cold run`,
    defaultTrials: 1,
    async apply(cache, rand, ctx) {
      rmSync(cache, { recursive: true, force: true });
      const at = moment(ctx, rand);
      const r = await ctx.run({ stopAfterLines: at, signal });
      if (STACK.test(r.stderr)) throw new Error(`${signal} after line ${at}: a stack trace: ${r.stderr.slice(0, 400)}`);
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      if (r.code === 0) return `${signal} after line ${at}: the run had finished`;
      if (r.code !== exit && r.signal !== signal) throw new Error(`${signal} after line ${at}: exit ${r.code ?? r.signal}, not ${exit}`);
      if (!/^\{"type":"run-done".*"interrupted":true/.test(last)) throw new Error(`${signal} after line ${at}: the last line is not an interrupted run-done: ${last.slice(0, 200)}`);
      return `${signal} after line ${at}`;
    },
  };
}

export const runFaults: Fault[] = [
  {
    name: 'run: kill -9 at a random moment of a cold run',
    defaultTrials: 2,
    async apply(cache, rand, ctx) {
      rmSync(cache, { recursive: true, force: true });
      const at = moment(ctx, rand);
      const r = await ctx.run({ stopAfterLines: at });
      return r.signal ? `killed after line ${at}` : `after line ${at}: the run had finished`;
    },
  },
  {
    name: 'run: kill -9 of a run with --set bins=17, then a plain run',
    defaultTrials: 1,
    async apply(_cache, rand, ctx) {
      const at = 2 + Math.floor(rand() * Math.max(1, ctx.cleanLines / 2));
      const r = await ctx.run({ args: ['--set', 'bins=17'], stopAfterLines: at });
      return r.signal ? `killed after line ${at}` : `after line ${at}: the bins=17 run had finished`;
    },
  },
  signalled('SIGINT'),
  signalled('SIGTERM'),
];

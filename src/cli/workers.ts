// `flow workers slurm|htcondor N --executor redis://...`: write the batch files that start N jobs
// of `flow worker` processes (src/scaleout/submit.ts).
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { intOption, parseCommandArgs } from './parse-args.ts';

export const HELP = `usage: flow workers slurm|htcondor N --executor redis://[:PASSWORD@]HOST:PORT [options]

Write a submit file that starts N batch jobs of \`flow worker\` processes (one per core) serving
\`flow run --executor\` runs on that Redis. Submit it with sbatch / condor_submit.

options:
  --executor URL   the coordinator's Redis (default $FLOW_EXECUTOR)
  --cores C        cores per job = worker processes per job (default 1)
  --memory M       memory per job as the scheduler spells it (4G, 4000M)
  --walltime T     wall time per job, HH:MM:SS (default 04:00:00)
  --cache-dir DIR  worker cache on the node (default node-local scratch)
  --flow CMD       how the nodes run hepflow (default: flow)
  --name NAME      job name and file name (default hepflow-workers)
  --out DIR        where to write the files (default .)
  -h, --help       this help`;

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs('workers', argv, {
    executor: { type: 'string' }, cores: { type: 'string' }, memory: { type: 'string' }, walltime: { type: 'string' },
    'cache-dir': { type: 'string' }, flow: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const o = args.values;
  if (o.help) {
    console.log(HELP);
    return 0;
  }
  const [system, n] = args.positionals;
  if ((system !== 'slurm' && system !== 'htcondor') || n === undefined || args.positionals.length !== 2) {
    throw new UserError('workers: expected slurm|htcondor and a number of jobs (flow workers slurm 10 --executor redis://HOST:PORT)');
  }
  const executor = o.executor ?? process.env.FLOW_EXECUTOR;
  if (!executor) throw new UserError('workers: --executor redis://HOST:PORT is needed (the Redis the workers connect to)');
  const { parseExecutorUrl } = await import('../scaleout/connection.ts');
  parseExecutorUrl(executor); // a bad URL fails here, not on 100 batch nodes
  const walltime = o.walltime ?? '04:00:00';
  if (!/^\d+:\d\d:\d\d$/.test(walltime)) throw new UserError(`--walltime: expected HH:MM:SS, got "${walltime}"`);
  if (o.memory !== undefined && !/^\d+(\.\d+)?[KMGT]?B?$/i.test(o.memory)) throw new UserError(`--memory: expected e.g. 4G or 4000M, got "${o.memory}"`);
  const { slurmScript, htcondorFiles } = await import('../scaleout/submit.ts');
  const spec = {
    jobs: intOption('N', n, 1, 1), cores: intOption('cores', o.cores, 1, 1), memory: o.memory, executor, walltime,
    flow: o.flow ?? 'flow', cacheDir: o['cache-dir'] ?? '', name: o.name ?? 'hepflow-workers',
  };
  const dir = resolve(o.out ?? '.');
  const written: string[] = [];
  const write = (file: string, text: string, exec = false) => {
    const path = join(dir, file);
    writeFileSync(path, text, { mode: 0o600 }); // the URL may carry the Redis password
    if (exec) chmodSync(path, 0o700);
    written.push(path);
  };
  if (system === 'slurm') write(`${spec.name}.sbatch`, slurmScript(spec), true);
  else {
    const f = htcondorFiles(spec);
    write(`${spec.name}.sub`, f.submit);
    write(f.scriptName, f.script, true);
  }
  console.log(`wrote ${written.join(', ')} (${spec.jobs} job${spec.jobs === 1 ? '' : 's'} x ${spec.cores} worker process${spec.cores === 1 ? '' : 'es'}); submit with ${system === 'slurm' ? 'sbatch' : 'condor_submit'}`);
  return 0;
}

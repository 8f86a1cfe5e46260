// `flow workers slurm|htcondor N`: submit files that start N batch jobs, each running `--cores`
// `flow worker` processes against the coordinator's Redis (as dask-jobqueue starts Dask workers).
// Pure text writers: the CLI prints or writes them; sbatch / condor_submit do the rest.

export interface SubmitSpec {
  jobs: number;
  cores: number;
  /** Memory per job, as the scheduler spells it ('4G', '4000M'); undefined: the site default. */
  memory?: string;
  /** redis://... URL (may carry a password: written into the file, so keep it private). */
  executor: string;
  /** Command that runs hepflow on the nodes (default `flow`). */
  flow: string;
  /** Worker cache directory on the node (default: node-local scratch). */
  cacheDir: string;
  name: string;
  /** Wall time per job (Slurm --time / HTCondor MaxRuntime), e.g. '04:00:00'. */
  walltime: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell lines every job runs: one worker process per core, stopped together. */
function workerScript(s: SubmitSpec, idVar: string): string[] {
  return [
    `export FLOW_EXECUTOR=${q(s.executor)}`,
    `CACHE=${s.cacheDir}`,
    'pids=""',
    `for i in $(seq 1 ${s.cores}); do`,
    `  ${s.flow} worker --cache-dir "$CACHE/w$i" --id "$(hostname)-${idVar}-$i" &`,
    '  pids="$pids $!"',
    'done',
    'trap \'kill -TERM $pids 2>/dev/null\' TERM INT',
    'wait',
  ];
}

export function slurmScript(s: SubmitSpec): string {
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${s.name}`,
    `#SBATCH --array=1-${s.jobs}`,
    '#SBATCH --nodes=1',
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${s.cores}`,
    ...(s.memory ? [`#SBATCH --mem=${s.memory}`] : []),
    `#SBATCH --time=${s.walltime}`,
    `#SBATCH --output=${s.name}-%A_%a.log`,
    '# hepflow workers for `flow run --executor` (flow workers slurm). Submit: sbatch THIS_FILE',
    '# scancel stops them; each finishes its running chunks first (SIGTERM).',
    ...workerScript({ ...s, cacheDir: s.cacheDir || '${TMPDIR:-/tmp}/hepflow-$SLURM_JOB_ID' }, '$SLURM_ARRAY_TASK_ID'),
    '',
  ].join('\n');
}

/** HTCondor: a submit description plus the executable it names (written next to it). */
export function htcondorFiles(s: SubmitSpec): { submit: string; script: string; scriptName: string } {
  const scriptName = `${s.name}.sh`;
  const script = ['#!/bin/bash', '# started by HTCondor (see the .sub file): flow worker processes, one per core', ...workerScript({ ...s, cacheDir: s.cacheDir || '${_CONDOR_SCRATCH_DIR:-/tmp}/hepflow' }, '$1'), ''].join('\n');
  const [h, m, sec] = s.walltime.split(':').map(Number);
  const submit = [
    `# hepflow workers for \`flow run --executor\` (flow workers htcondor). Submit: condor_submit ${s.name}.sub`,
    `executable     = ${scriptName}`,
    'arguments      = $(Process)',
    `request_cpus   = ${s.cores}`,
    ...(s.memory ? [`request_memory = ${s.memory}`] : []),
    `+MaxRuntime    = ${(h ?? 0) * 3600 + (m ?? 0) * 60 + (sec ?? 0)}`,
    'getenv         = True',
    `output         = ${s.name}-$(Cluster).$(Process).out`,
    `error          = ${s.name}-$(Cluster).$(Process).err`,
    `log            = ${s.name}-$(Cluster).log`,
    'kill_sig       = SIGTERM',
    `queue ${s.jobs}`,
    '',
  ].join('\n');
  return { submit, script, scriptName };
}

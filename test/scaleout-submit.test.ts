// `flow workers slurm|htcondor N`: the generated files, and the Slurm script really starting its
// worker processes against a Redis (run here with bash, as a batch node would).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, redisMissing, runFlow, startRedis, tempDir } from './helpers/scaleout.ts';
import { connectChecked, parseExecutorUrl } from '../src/scaleout/connection.ts';
import { liveWorkers } from '../src/scaleout/runs.ts';

test('flow workers slurm: an sbatch array of N jobs, C worker processes each, private file', async () => {
  const dir = tempDir('slurm');
  const r = await runFlow(['workers', 'slurm', '8', '--cores', '4', '--memory', '8G', '--executor', 'redis://:pw@head.example:6379', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  const path = join(dir, 'hepflow-workers.sbatch');
  const text = readFileSync(path, 'utf8');
  for (const l of ['#SBATCH --array=1-8', '#SBATCH --cpus-per-task=4', '#SBATCH --mem=8G', '#SBATCH --time=04:00:00', "export FLOW_EXECUTOR='redis://:pw@head.example:6379'", 'for i in $(seq 1 4); do']) assert.ok(text.includes(l), `missing: ${l}\n${text}`);
  assert.equal(statSync(path).mode & 0o077, 0, 'the file holds the Redis password: owner only');
  assert.equal(spawnSync('bash', ['-n', path]).status, 0, 'valid bash');
});

test('flow workers htcondor: a submit description queueing N jobs and its executable', async () => {
  const dir = tempDir('condor');
  const r = await runFlow(['workers', 'htcondor', '5', '--cores', '2', '--memory', '4000M', '--walltime', '01:30:00', '--executor', 'redis://head:6379', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  const sub = readFileSync(join(dir, 'hepflow-workers.sub'), 'utf8');
  for (const l of ['executable     = hepflow-workers.sh', 'request_cpus   = 2', 'request_memory = 4000M', '+MaxRuntime    = 5400', 'kill_sig       = SIGTERM', 'queue 5']) assert.ok(sub.includes(l), `missing: ${l}\n${sub}`);
  assert.equal(spawnSync('bash', ['-n', join(dir, 'hepflow-workers.sh')]).status, 0);
  const bad = await runFlow(['workers', 'pbs', '5', '--executor', 'redis://h:1']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /expected slurm\|htcondor/);
  const badUrl = await runFlow(['workers', 'slurm', '5', '--executor', 'http://h:1']);
  assert.match(badUrl.err, /unsupported scheme/);
});

test('the Slurm script, run as a batch node runs it, starts its --cores workers on the Redis', { skip: redisMissing, timeout: 120_000 }, async () => {
  const redis = await startRedis();
  const dir = tempDir('slurmrun');
  const client = await connectChecked(parseExecutorUrl(redis.url));
  try {
    const r = await runFlow(['workers', 'slurm', '1', '--cores', '2', '--executor', redis.url, '--out', dir, '--cache-dir', join(dir, 'cache'), '--flow', `${process.execPath} ${join(ROOT, 'cli.ts')}`]);
    assert.equal(r.code, 0, r.err);
    const job = spawn('bash', [join(dir, 'hepflow-workers.sbatch')], { cwd: dir, env: { ...process.env, SLURM_ARRAY_TASK_ID: '1', SLURM_JOB_ID: '42' }, stdio: 'ignore' });
    let n = 0;
    for (let i = 0; i < 300 && n < 2; i++) {
      await new Promise((res) => setTimeout(res, 100));
      n = await liveWorkers(client);
    }
    assert.equal(n, 2, 'two worker processes registered');
    const gone = new Promise((res) => job.once('exit', res));
    job.kill('SIGTERM');
    await Promise.race([gone, new Promise((res) => setTimeout(res, 20_000).unref())]);
    for (let i = 0; i < 200 && n > 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      n = await liveWorkers(client);
    }
    assert.equal(n, 0, 'SIGTERM to the job stops its workers (they unregister)');
  } finally {
    client.disconnect();
    await redis.stop();
  }
});

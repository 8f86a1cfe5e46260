// `flow gen nanoaod|atlas4lep --events N --out F.root [--seed S] [--process P] [--compression zlib|zstd|lz4|none] [--level L]`
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { sampleKinds, writeSample, type SampleKind } from '../gen/write.ts';
import type { CompressionAlgorithm } from '../root/write/index.ts';

function usage(): string {
  return [
    'usage: flow gen nanoaod|atlas4lep --events N --out FILE.root [--seed S] [--process P]',
    '                [--variation nominal|scaleup|scaledown|ME_var|PS_var] (nanoaod ttbar)',
    '                [--compression zlib|zstd|lz4|none] [--level L] [--cluster-entries N] [--json]',
    '',
    `  nanoaod    CMS NanoAOD, tree Events; --process ${sampleKinds.nanoaod.processes.join('|')} (default ttbar)`,
    `  atlas4lep  ATLAS Open Data 4-lepton, tree mini (MeV); --process ${sampleKinds.atlas4lep.processes.join('|')} (default signal)`,
    '',
    'Deterministic: the same options give the same bytes. --json prints {out, events, tree, process,',
    'seed, variation, xsec, bytes, seconds} (xsec in pb, for fileset metadata).',
  ].join('\n');
}

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new UserError(`gen: --${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('gen', argv, {
    events: { type: 'string', short: 'n' }, out: { type: 'string', short: 'o' }, seed: { type: 'string' },
    process: { type: 'string' }, variation: { type: 'string' }, compression: { type: 'string' }, level: { type: 'string' },
    'cluster-entries': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) { console.log(usage()); return 0; }
  const kind = positionals[0];
  if (!kind || !(kind in sampleKinds)) throw new UserError(`gen: expected a sample kind (${Object.keys(sampleKinds).join(' or ')}), got '${kind ?? ''}'`);
  if (positionals.length > 1) throw new UserError(`gen: unexpected argument '${positionals[1]}'`);
  const events = integer(values.events, 'events', 0);
  if (events === undefined) throw new UserError('gen: --events N is required');
  if (!values.out) throw new UserError('gen: --out FILE.root is required');
  const algorithm = (values.compression ?? 'zlib') as CompressionAlgorithm;
  if (!['zlib', 'zstd', 'lz4', 'none'].includes(algorithm)) throw new UserError(`gen: --compression must be zlib, zstd, lz4 or none, got '${algorithm}'`);
  const level = integer(values.level, 'level', 1);
  const k = sampleKinds[kind as SampleKind];
  if (values.process !== undefined && !k.processes.includes(values.process)) {
    throw new UserError(`gen: unknown ${kind} process '${values.process}' (one of ${k.processes.join(', ')})`);
  }
  let result;
  try {
    result = await writeSample({
      kind: kind as SampleKind, out: values.out, events, seed: integer(values.seed, 'seed', 0), process: values.process, variation: values.variation,
      compression: { algorithm, level }, clusterEntries: integer(values['cluster-entries'], 'cluster-entries', 1),
      onProgress: process.stderr.isTTY && !values.json ? progress : undefined,
    });
    if (process.stderr.isTTY && !values.json) process.stderr.write('\r\x1b[K');
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code !== undefined || /cannot create ROOT file/.test((err as Error).message)) {
      throw new UserError(`gen: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  if (values.json) {
    console.log(JSON.stringify({ out: values.out, ...result }));
    return 0;
  }
  const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : 0;
  console.log(`wrote ${values.out}: ${result.events} events, tree ${result.tree}, ${kind} ${result.process}, ${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(2)} s (${rate} events/s)`);
  return 0;
}

function progress(done: number, total: number): void {
  process.stderr.write(`\r\x1b[Kgenerating: ${done} / ${total} events (${Math.round((100 * done) / Math.max(1, total))}%)`);
}

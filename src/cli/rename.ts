// `flow rename WS.json [-c OLD NEW]... [-s OLD NEW]... [-m OLD NEW]... [--measurement OLD NEW]... [--output-file F]` as `pyhf rename`.
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { joinPairs, pairMap, writeWorkspace } from './workspace-output.ts';

const usage = `usage: flow rename WS.json [-c OLD NEW]... [-s OLD NEW]... [-m OLD NEW]... [--measurement OLD NEW]... [--output-file F]

  Rename channels (and their observations), samples, modifiers (also in measurement configs and the
  POI) and measurements, as "pyhf rename"; prints the workspace (JSON, keys sorted) or writes it to --output-file.`;

const PAIRS = new Set(['-c', '--channel', '-s', '--sample', '-m', '--modifier', '--measurement']);

export async function main(argv: string[]): Promise<number> {
  const many = { type: 'string', multiple: true } as const;
  const { values: v, positionals } = parseCommandArgs('rename', joinPairs('rename', argv, PAIRS), {
    channel: { ...many, short: 'c' }, sample: { ...many, short: 's' }, modifier: { ...many, short: 'm' },
    measurement: many, 'output-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (v.help) { console.log(usage); return 0; }
  if (positionals.length !== 1) throw new UserError('flow rename: expected one workspace file (flow rename --help)');
  const { renameWorkspace } = await import('../stats/workspace.ts');
  const { readWorkspaceFile } = await import('../stats/load.ts');
  const renamed = renameWorkspace(readWorkspaceFile(positionals[0]!), {
    channels: pairMap(v.channel), samples: pairMap(v.sample), modifiers: pairMap(v.modifier), measurements: pairMap(v.measurement),
  });
  writeWorkspace(renamed, v['output-file']);
  return 0;
}

// `flow combine WS1.json WS2.json [--join none|outer] [--output-file F]` as `pyhf combine`.
import { naming, UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { writeWorkspace } from './workspace-output.ts';

const usage = `usage: flow combine WS1.json WS2.json [-j|--join none|outer] [--output-file F]

  Combine two workspaces, as "pyhf combine". --join none (the default): channels and measurement
  names must differ. --join outer: a channel defined identically in both is kept once, measurements
  of the same name are merged (same POI, parameter configs from both; a conflicting one is an error).
  Prints the workspace (JSON, keys sorted) or writes it to --output-file.`;

export async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('combine', argv, {
    join: { type: 'string', short: 'j' }, 'output-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (v.help) { console.log(usage); return 0; }
  if (positionals.length !== 2) throw new UserError('flow combine: expected two workspace files (flow combine --help)');
  const join = v.join ?? 'none';
  if (join !== 'none' && join !== 'outer') throw new UserError(`flow combine: --join must be none or outer, got '${join}' (pyhf's left/right outer joins are not supported)`);
  const { combineWorkspaces } = await import('../stats/workspace.ts');
  const { readWorkspaceFile } = await import('../stats/load.ts');
  const [a, b] = positionals.map(readWorkspaceFile) as [ReturnType<typeof readWorkspaceFile>, ReturnType<typeof readWorkspaceFile>];
  writeWorkspace(naming(`flow combine ${positionals.join(' ')}`, () => combineWorkspaces(a, b, { join })), v['output-file']);
  return 0;
}

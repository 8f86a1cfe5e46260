// `flow prune WS.json [-c CH]... [-s S]... [-m MOD]... [-t TYPE]... [--measurement M]... [--output-file F]` as `pyhf prune`.
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { writeWorkspace } from './workspace-output.ts';

const usage = `usage: flow prune WS.json [-c CHANNEL]... [-s SAMPLE]... [-m MODIFIER]... [-t MODIFIER_TYPE]... [--measurement M]... [--output-file F]

  Drop channels, samples, modifiers (by name or type) and measurements, as "pyhf prune"; prints the
  workspace (JSON, keys sorted) or writes it to --output-file.`;

export async function main(argv: string[]): Promise<number> {
  const many = { type: 'string', multiple: true } as const;
  const { values: v, positionals } = parseCommandArgs('prune', argv, {
    channel: { ...many, short: 'c' }, sample: { ...many, short: 's' }, modifier: { ...many, short: 'm' },
    'modifier-type': { ...many, short: 't' }, measurement: many, 'output-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (v.help) { console.log(usage); return 0; }
  if (positionals.length !== 1) throw new UserError('flow prune: expected one workspace file (flow prune --help)');
  const { MODIFIER_TYPES, pruneWorkspace } = await import('../stats/workspace.ts');
  const { readWorkspaceFile } = await import('../stats/load.ts');
  const types = v['modifier-type'] ?? [];
  const unknown = types.filter((t) => !(MODIFIER_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new UserError(`flow prune: unknown modifier type '${unknown[0]}' (types: ${MODIFIER_TYPES.join(', ')})`);
  const ws = readWorkspaceFile(positionals[0]!);
  const pruned = pruneWorkspace(ws, {
    channels: v.channel, samples: v.sample, modifiers: v.modifier, modifierTypes: types as typeof MODIFIER_TYPES[number][], measurements: v.measurement,
  });
  writeWorkspace(pruned, v['output-file']);
  return 0;
}

// node:util parseArgs for every `flow <command>` (the one way commands parse their arguments):
// positionals allowed, strict, and its errors turned into one-line UserErrors naming the command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw parseArgsError(command, err);
  }
}

/** node:util parseArgs' error as one line naming the command. */
function parseArgsError(command: string, err: unknown): UserError {
  // node's messages run over several sentences and lines; the first sentence names the option
  const message = (err as Error).message;
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, '');
  const option = /argument is ambiguous/.test(message) ? /'(--?[\w-]+)'/.exec(message)?.[1] : undefined;
  const hint = option ? `; write ${option}=VALUE for a value starting with '-'` : '';
  return new UserError(`${command}: ${first}${hint} (--help for options)`);
}

/** `--NAME N`: an integer >= min, or the default when not given. */
export function intOption(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name}: expected an integer >= ${min}, got "${v}"`);
  return n;
}

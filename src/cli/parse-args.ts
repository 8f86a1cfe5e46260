// node:util parseArgs for `flow <command>`: positionals allowed, and its errors turned into one-line
// UserErrors naming the command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UserError(`${command}: ${(err as Error).message.split('. ')[0]} (--help for options)`);
  }
}

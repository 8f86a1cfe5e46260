// Read a workspace JSON file for the CLI and nodes: errors name the file (and the JSON path).
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { loadWorkspace } from './workspace.ts';
import type { Workspace } from './workspace.ts';

export function readWorkspaceFile(path: string): Workspace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    // node's message ("ENOENT: no such file or directory, open 'x'") without the code and the path again
    const why = (e as Error).message.replace(/^E[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
    throw new UserError(`cannot read workspace '${path}': ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return loadWorkspace(json, path);
}

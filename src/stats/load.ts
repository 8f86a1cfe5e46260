// Read a workspace JSON file for the CLI and nodes: errors name the file (and the JSON path).
import { readTextInput } from '../input-file.ts';
import { UserError } from '../errors.ts';
import { loadWorkspace } from './workspace.ts';
import type { Workspace } from './workspace.ts';

export function readWorkspaceFile(path: string): Workspace {
  const text = readTextInput(path, 'workspace');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return loadWorkspace(json, path);
}

// Shared by `flow prune|rename|combine` (pyhf's workspace commands): a workspace printed as pyhf
// prints it (JSON, indent 4, keys sorted) to stdout or --output-file, and pyhf's two-value options
// (`-c OLD NEW`) turned into single values node's parseArgs can take.
import { writeFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { Workspace } from '../stats/workspace.ts';

const PAIR = '\u0000';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

export function writeWorkspace(ws: Workspace, outputFile: string | undefined): void {
  writeSortedJson(ws, outputFile);
}

/** JSON with sorted keys and indent 4 (pyhf's output) to stdout or `outputFile`. */
export function writeSortedJson(value: unknown, outputFile: string | undefined): void {
  const text = `${JSON.stringify(sortKeys(value), null, 4)}\n`;
  if (outputFile === undefined) { process.stdout.write(text); return; }
  try {
    writeFileSync(outputFile, text);
  } catch (e) {
    throw new UserError(`cannot write '${outputFile}': ${(e as Error).message.replace(/^E[A-Z]+: /, '')}`);
  }
}

/** `-c OLD NEW` -> `-c OLD\0NEW` for the options in `pairs` (short and long names). */
export function joinPairs(cmd: string, argv: string[], pairs: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!pairs.has(a)) { out.push(a); continue; }
    if (i + 2 >= argv.length) throw new UserError(`flow ${cmd}: ${a} takes two values: OLD NEW`);
    out.push(a, `${argv[i + 1]}${PAIR}${argv[i + 2]}`);
    i += 2;
  }
  return out;
}

/** The OLD -> NEW map of a repeated pair option. */
export function pairMap(values: string[] | undefined): Record<string, string> {
  return Object.fromEntries((values ?? []).map((v) => v.split(PAIR) as [string, string]));
}

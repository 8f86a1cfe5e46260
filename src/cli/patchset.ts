// `flow patchset inspect|apply|extract|verify` as `pyhf patchset ...`: signal grids as a
// background-only workspace plus a patchset (pyhf's patchset schema 1.0.0).
import { UserError } from '../errors.ts';
import { readTextInput } from '../input-file.ts';
import { parseCommandArgs } from './parse-args.ts';
import { writeWorkspace, writeSortedJson } from './workspace-output.ts';
import type { PatchSet } from '../stats/patchset/patchset.ts';

const usage = `usage: flow patchset inspect PATCHSET.json [--json]
       flow patchset apply BKG_ONLY.json PATCHSET.json (--name NAME | --values V1,V2,...) [--output-file F]
       flow patchset extract PATCHSET.json (--name NAME | --values ...) [--with-metadata] [--output-file F]
       flow patchset verify BKG_ONLY.json PATCHSET.json

  pyhf's patchsets (schema 1.0.0): one JSON patch per signal point of a grid, for one
  background-only workspace. inspect lists the patches (--json: labels, names and values);
  apply checks the patchset's digests against the workspace (as pyhf.utils.digest computes them)
  and prints the patched workspace (JSON, keys sorted) or writes it to --output-file; extract
  prints one patch's operations; verify says "All good." or names the digest that differs.
  --values picks a patch by its values for the patchset's labels (e.g. --values 1300,205,60).`;

function readJson(path: string, what: string, python = false): Promise<unknown> {
  const text = readTextInput(path, what);
  return import('../stats/patchset/python-json.ts').then(({ parsePythonJson }) => {
    try {
      return python ? parsePythonJson(text) : JSON.parse(text);
    } catch (e) {
      throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
    }
  });
}

async function readPatchSet(path: string): Promise<PatchSet> {
  const { loadPatchSet } = await import('../stats/patchset/patchset.ts');
  return loadPatchSet(await readJson(path, 'patchset'), path);
}

/** --name or --values (numbers where they parse as numbers, as in the JSON). */
function patchKey(v: { name?: string; values?: string }): string | Array<number | string> {
  if ((v.name === undefined) === (v.values === undefined)) throw new UserError('flow patchset: give one of --name NAME or --values V1,V2,...');
  if (v.name !== undefined) return v.name;
  return v.values!.split(',').map((t) => t.trim()).map((t) => (t !== '' && Number.isFinite(Number(t)) ? Number(t) : t));
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') { console.log(usage); return sub === undefined ? 2 : 0; }
  const { values: v, positionals: pos } = parseCommandArgs(`patchset ${sub}`, rest, {
    name: { type: 'string' }, values: { type: 'string' }, 'output-file': { type: 'string' }, json: { type: 'boolean' },
    'with-metadata': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (v.help) { console.log(usage); return 0; }
  const want = (n: number, what: string) => { if (pos.length !== n) throw new UserError(`flow patchset ${sub}: expected ${what} (flow patchset --help)`); };
  switch (sub) {
    case 'inspect': {
      want(1, 'PATCHSET.json');
      const ps = await readPatchSet(pos[0]!);
      if (v.json) {
        console.log(JSON.stringify({ labels: ps.labels, description: ps.description, digests: ps.digests, references: ps.references, patches: ps.patches.map((p) => ({ name: p.name, values: p.values })) }));
        return 0;
      }
      console.log(`\n    ${ps.patches.length} patches found in Patchset`);
      console.log('---------------------------------\n');
      for (const p of ps.patches) console.log(p.name);
      console.log(`\nlabels: ${ps.labels.join(', ')}; ${ps.description}`);
      return 0;
    }
    case 'apply': {
      want(2, 'BKG_ONLY.json PATCHSET.json');
      const ps = await readPatchSet(pos[1]!);
      const key = patchKey(v);
      writeWorkspace(ps.apply(await readJson(pos[0]!, 'workspace', true), key, pos[0]!), v['output-file']);
      return 0;
    }
    case 'extract': {
      want(1, 'PATCHSET.json');
      const ps = await readPatchSet(pos[0]!);
      const p = ps.get(patchKey(v));
      writeSortedJson(v['with-metadata'] ? { metadata: { ...p.metadata, ...ps.spec.metadata }, patch: p.operations } : p.operations, v['output-file']);
      return 0;
    }
    case 'verify': {
      want(2, 'BKG_ONLY.json PATCHSET.json');
      const ps = await readPatchSet(pos[1]!);
      ps.verify(await readJson(pos[0]!, 'workspace', true), pos[0]!);
      console.log('All good.');
      return 0;
    }
    default: throw new UserError(`flow patchset: unknown subcommand '${sub}' (inspect, apply, extract, verify)`);
  }
}

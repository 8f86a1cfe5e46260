// pyhf patchsets (schema 1.0.0, pyhf.PatchSet): signal grids published on HEPData as one
// background-only workspace plus one JSON patch per signal point. Validation as pyhf's schema and
// constructor (unique names and values, one value per label), lookup by name or values, digest
// verification against the background-only workspace, apply.
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { jsonPath, loadWorkspace, type Workspace } from '../workspace.ts';
import { applyJsonPatch, type PatchOperation } from './json-patch.ts';
import { plainJson, pythonDumps } from './python-json.ts';
import { createHash } from 'node:crypto';

const NAME = /^[a-zA-Z0-9_]+$/;

const operation = z.union([
  z.object({ op: z.enum(['add', 'replace', 'test']), path: z.string(), value: z.unknown().refine((v) => v !== undefined, 'missing value') }),
  z.object({ op: z.literal('remove'), path: z.string() }),
  z.object({ op: z.enum(['move', 'copy']), path: z.string(), from: z.string() }),
]);

const patchsetSchema = z.strictObject({
  version: z.literal('1.0.0'),
  metadata: z.looseObject({
    references: z.strictObject({ hepdata: z.string().regex(/^ins[0-9]{7}$/).optional() }).refine((r) => Object.keys(r).length > 0, 'at least one reference'),
    digests: z.strictObject({ md5: z.string().regex(/^[a-f0-9]{32}$/).optional(), sha256: z.string().regex(/^[a-fA-F0-9]{64}$/).optional() })
      .refine((d) => Object.keys(d).length > 0, 'at least one digest (md5 or sha256)'),
    labels: z.array(z.string().regex(NAME)).min(1),
    description: z.string(),
  }),
  patches: z.array(z.strictObject({
    metadata: z.looseObject({ name: z.string().regex(NAME), values: z.array(z.union([z.number(), z.string()])) }),
    patch: z.array(operation),
  })).min(1),
});

export type PatchSetSpec = z.infer<typeof patchsetSchema>;
export interface Patch { name: string; values: Array<number | string>; metadata: Record<string, unknown>; operations: PatchOperation[] }

export class PatchSet {
  readonly spec: PatchSetSpec;
  readonly patches: Patch[];
  readonly source: string;
  constructor(spec: PatchSetSpec, source: string) {
    this.spec = spec;
    this.source = source;
    this.patches = spec.patches.map((p) => ({ name: p.metadata.name, values: p.metadata.values, metadata: p.metadata, operations: p.patch as PatchOperation[] }));
    const names = new Set<string>(), values = new Set<string>();
    for (const p of this.patches) {
      const key = valuesKey(p.values);
      if (names.has(p.name)) throw new UserError(`${source}: patch '${p.name}' is defined more than once`);
      if (values.has(key)) throw new UserError(`${source}: patch '${p.name}': values ${key} are those of another patch`);
      if (p.values.length !== this.labels.length) throw new UserError(`${source}: patch '${p.name}' has ${p.values.length} values for ${this.labels.length} labels (${this.labels.join(', ')})`);
      names.add(p.name); values.add(key);
    }
  }
  get labels(): string[] { return this.spec.metadata.labels; }
  get description(): string { return this.spec.metadata.description; }
  get digests(): Record<string, string> { return this.spec.metadata.digests as Record<string, string>; }
  get references(): Record<string, string> { return this.spec.metadata.references as Record<string, string>; }

  /** The patch of that name, or of those values (pyhf's patchset[key]). */
  get(key: string | ReadonlyArray<number | string>): Patch {
    const p = typeof key === 'string' ? this.patches.find((q) => q.name === key) : this.patches.find((q) => valuesKey(q.values) === valuesKey(key));
    if (!p) {
      const shown = typeof key === 'string' ? `'${key}'` : valuesKey(key);
      throw new UserError(`${this.source}: no patch ${shown} (${this.patches.length} patches, e.g. ${this.patches.slice(0, 3).map((q) => q.name).join(', ')}; flow patchset inspect lists them)`);
    }
    return p;
  }

  /** pyhf's PatchSet.verify: every digest equals pyhf.utils.digest of the background-only workspace
   *  (`tree`: the workspace as parsePythonJson read it, so floats print as Python prints them). */
  verify(tree: unknown, where: string): void {
    const text = pythonDumps(tree);
    for (const [algorithm, digest] of Object.entries(this.digests)) {
      const got = createHash(algorithm).update(text, 'utf8').digest('hex');
      if (got !== digest.toLowerCase()) throw new UserError(`${where}: the ${algorithm} digest is ${got}, the patchset ${this.source} was made for ${digest} (another background-only workspace)`);
    }
  }

  /** pyhf's PatchSet.apply: verify, then the patched workspace (validated as a pyhf workspace). */
  apply(tree: unknown, key: string | ReadonlyArray<number | string>, where: string): Workspace {
    this.verify(tree, where);
    const patch = this.get(key);
    return loadWorkspace(applyJsonPatch(plainJson(tree), patch.operations, `${this.source}: patch '${patch.name}'`), `${where} patched with '${patch.name}'`);
  }
}

/** '[1300, 205]' (numbers as numbers, strings quoted). */
function valuesKey(values: ReadonlyArray<number | string>): string {
  return JSON.stringify(values);
}

export function loadPatchSet(json: unknown, source: string): PatchSet {
  const parsed = patchsetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${source}: ${jsonPath(issue.path)}: ${issue.message} (pyhf patchset schema 1.0.0)`);
  }
  return new PatchSet(parsed.data, source);
}

// Node-kind registry: built-in kinds live in nodes/<kind>.ts and are imported lazily by name, so a
// graph without fits never loads the fitter. Users can register their own kinds (or pass a kind
// object to `g.node`).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NodeKind } from './node-kind.ts';
import { moduleExt } from '../module-ext.ts';

const registered = new Map<string, NodeKind>();
const nodesDir = new URL('../../nodes/', import.meta.url);
const ext = moduleExt(import.meta.url);
const kindFile = new RegExp(`^[a-z][a-z0-9-]*\\${ext}$`);
/** nodes/index.ts is the package's `hepflow/nodes` entry (kind factories), not a kind. */
const NOT_A_KIND = 'index';

export function registerNodeKind(kind: NodeKind): void {
  registered.set(kind.kind, kind);
}

/** Names of the kinds that can be resolved (registered + modules in nodes/). */
export function knownKinds(): string[] {
  const names = new Set(registered.keys());
  for (const f of readdirSync(fileURLToPath(nodesDir))) if (kindFile.test(f) && f !== NOT_A_KIND + ext) names.add(f.slice(0, -ext.length));
  return [...names].sort();
}

/** Resolve a kind by name; undefined if unknown. Throws if the module exists but fails to load. */
export async function loadNodeKind(name: string): Promise<NodeKind | undefined> {
  const hit = registered.get(name);
  if (hit) return hit;
  if (!/^[a-z][a-z0-9-]*$/.test(name) || name === NOT_A_KIND) return undefined;
  const url = new URL(`${name}${ext}`, nodesDir);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const mod = (await import(url.href)) as { default?: NodeKind };
  const kind = mod.default;
  if (!kind || typeof kind !== 'object' || kind.kind !== name) {
    throw new Error(`nodes/${name}.ts: default export must be a node kind with kind '${name}'`);
  }
  registered.set(name, kind);
  return kind;
}

// Loading a graph module: import the user's .ts file, check its default export, parse --set params,
// build and validate. Used by `flow run`, `flow graph` and by the workers (which rebuild the graph
// themselves because user functions cannot cross threads).
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.ts';
import { GraphBuilder, type GraphDef, instantiate, isGraphDef } from './graph.ts';
import { moduleContext, type ModuleContext } from './module-context.ts';
import { parseGraphParams } from './params.ts';
import { resolveHepflowFromSource } from '../source-conditions.ts';
import { buildPlan, type Plan } from './validate.ts';

export interface LoadedGraph {
  def: GraphDef;
  /** Absolute path of the graph module. */
  path: string;
  /** Path as shown in messages (relative to the cwd when shorter). */
  file: string;
  params: unknown;
  plan: Plan;
  /** Module-level code and local imports the user functions may use (module-context.ts). */
  context: ModuleContext;
}

export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

export async function importGraphModule(file: string): Promise<{ def: GraphDef; path: string; file: string }> {
  const path = resolve(file);
  const shown = displayPath(path);
  if (!existsSync(path)) throw new UserError(`graph file not found: ${file}`);
  if (statSync(path).isDirectory()) throw new UserError(`${shown} is a directory; give the graph's .ts file`);
  let mod: { default?: unknown };
  resolveHepflowFromSource();
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error;
    const message = e.message.split('\n')[0]!;
    // the line of the graph file where it broke (node's own errors repeat their message in the stack)
    const where = (e.stack ?? '').split('\n').find((l) => l.includes(path) && !l.includes(message))?.trim();
    const at = where?.replace(/^at /, '').replace(/^.*\((.*)\)$/, '$1').replace(pathToFileURL(path).href, shown);
    throw new UserError(`${shown}: cannot load the graph module: ${e.name}: ${message}${at ? ` (${at})` : ''}`, { cause: err });
  }
  if (!isGraphDef(mod.default)) {
    throw new UserError(`${shown}: the default export must be a graph: export default graph('name', (g) => { ... })`);
  }
  return { def: mod.default, path, file: shown };
}

/** Import, parse params, build and validate. `sets` are the raw --set values. */
export async function loadGraph(file: string, sets: Record<string, string> = {}): Promise<LoadedGraph> {
  const { def, path, file: shown } = await importGraphModule(file);
  const params = parseGraphParams(def.paramsSchema, sets, shown);
  let builder;
  try {
    builder = instantiate(def, params);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${shown}: building graph '${def.name}' failed: ${describeBuildError(err, path, shown)}`, { cause: err });
  }
  const plan = await buildPlan(def.name, shown, builder);
  return { def, path, file: shown, params, plan, context: moduleContext(path, def.build) };
}

/** `g.mergee is not a function` is a misspelt node kind: say so, with the kinds there are, and where. */
function describeBuildError(err: unknown, path: string, shown: string): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const where = (e.stack ?? '').split('\n').find((l) => l.includes(path))?.trim().replace(/^at /, '');
  const method = /^\w+\.(\w+) is not a function$/.exec(e.message)?.[1];
  const kinds = Object.getOwnPropertyNames(GraphBuilder.prototype).filter((n) => n !== 'constructor');
  const message = method && !kinds.includes(method) ? `unknown node kind '${method}' (the graph builder has ${kinds.join(', ')})` : e.message.split('\n')[0];
  return `${message}${where ? ` (at ${where.replace(/^.*\((.*)\)$/, '$1').replace(pathToFileURL(path).href, shown)})` : ''}`;
}

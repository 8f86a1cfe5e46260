// Turns a built graph into a validated execution plan before anything runs: kinds resolved, no
// duplicate names, no dangling inputs, no cycles (graphology DAG), inputs of the right artifact
// types, params valid for their kind's zod schema. Every message names the graph file and node.
import graphology from 'graphology';
import { topologicalSort } from 'graphology-dag';
import { UserError } from '../errors.ts';
import type { GraphBuilder, NodeDecl } from './graph.ts';
import { kindName } from './graph.ts';
import type { ArtifactType, NodeKind } from './node-kind.ts';
import { cleanMessage, formatPath } from './params.ts';
import { knownKinds, loadNodeKind } from './registry.ts';

export type NodeRole = 'global' | 'source' | 'transform' | 'reducer';

export interface PlanNode {
  name: string;
  kind: NodeKind;
  /** Params after zod parsing (defaults applied). */
  params: unknown;
  inputs: string[];
  role: NodeRole;
  /** Chunk nodes: the chunk source (skim) whose chunks they run on. */
  source?: string;
  consumers: string[];
}

export interface Plan {
  graph: string;
  file: string;
  /** All nodes in topological order (stable: declaration order among independent nodes). */
  order: PlanNode[];
  nodes: Map<string, PlanNode>;
  /** Chunk source name -> its chunk nodes in topological order (source first). */
  groups: Map<string, PlanNode[]>;
}

/** What a node name may be: letters, digits, _ and - (not leading): four-leptons, 4l_2016. */
export const NODE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

export async function buildPlan(graphName: string, file: string, g: GraphBuilder): Promise<Plan> {
  const fail = (msg: string): never => {
    throw new UserError(`${file}: ${msg}`);
  };
  for (const d of g.decls) {
    // names become file names (outputs, figures) and cache labels: no path separators, no '..'
    if (typeof d.name !== 'string' || !NODE_NAME.test(d.name)) fail(`node name ${JSON.stringify(d.name)} is not an identifier (letters, digits, _ and -, not starting with -)`);
  }
  if (g.duplicates.length) fail(`duplicate node name '${g.duplicates[0]}'`);
  if (g.decls.length === 0) fail(`graph '${graphName}' has no nodes`);

  const kinds = new Map<string, NodeKind>();
  for (const d of g.decls) {
    if (typeof d.kind !== 'string') {
      kinds.set(d.name, d.kind);
      continue;
    }
    const k = await loadNodeKind(d.kind);
    if (!k) fail(`node '${d.name}': unknown node kind '${d.kind}' (known: ${knownKinds().join(', ')})`);
    kinds.set(d.name, k!);
  }

  const dag = new graphology.DirectedGraph();
  for (const d of g.decls) dag.addNode(d.name);
  const byName = new Map(g.decls.map((d) => [d.name, d]));
  for (const d of g.decls) {
    d.inputs.forEach((inp, i) => {
      if (typeof inp !== 'string' || !byName.has(inp)) {
        fail(`node '${d.name}' (${kindName(d.kind)}): input ${i + 1} ${inp === undefined ? '(undefined)' : `'${String(inp)}'`} is not a node of this graph`);
      }
      if (inp === d.name) fail(`node '${d.name}' (${kindName(d.kind)}): takes itself as input (cycle)`);
      if (!dag.hasEdge(inp, d.name)) dag.addEdge(inp, d.name);
    });
  }
  const cycle = findCycle(g.decls);
  if (cycle) fail(`cycle in the graph: ${cycle.join(' -> ')}`);

  const nodes = new Map<string, PlanNode>();
  const topo = topologicalSort(dag);
  for (const name of topo) {
    const d = byName.get(name)!;
    const kind = kinds.get(name)!;
    const where = `node '${name}' (${kind.kind})`;
    checkInputs(d, kind, kinds, where, fail);
    const parsed = kind.params.safeParse(d.params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(`${where}: ${issue.path.length ? `${formatPath(issue.path)}: ` : ''}${cleanMessage(issue.message)}`);
    }
    let role: NodeRole = 'global';
    let source: string | undefined;
    if (kind.level === 'chunk') {
      const inType = kinds.get(d.inputs[0]!)?.output;
      if (inType === 'FileSet') {
        if (typeof kind.plan !== 'function') fail(`${where}: a chunk node reading a FileSet must define plan()`);
        role = 'source';
        source = name;
      } else {
        const up = nodes.get(d.inputs[0]!);
        if (!up?.source) fail(`${where}: input '${d.inputs[0]}' must be a chunk-level EventChunks node (skim/select)`);
        source = up!.source;
        role = kind.output === 'EventChunks' ? 'transform' : 'reducer';
        if (role === 'reducer' && !kind.reduce) fail(`${where}: outputs ${kind.output} per chunk but defines no reduce`);
      }
    } else if (d.inputs.some((i) => kinds.get(i)!.output === 'EventChunks')) {
      fail(`${where}: global nodes cannot take EventChunks (fill or select them per chunk first)`);
    }
    nodes.set(name, { name, kind, params: parsed.data, inputs: d.inputs, role, source, consumers: dag.outNeighbors(name) });
  }
  const order = topo.map((n) => nodes.get(n)!);
  const groups = new Map<string, PlanNode[]>();
  for (const n of order) if (n.source) (groups.get(n.source) ?? groups.set(n.source, []).get(n.source)!).push(n);
  return { graph: graphName, file, order, nodes, groups };
}

function checkInputs(d: NodeDecl, kind: NodeKind, kinds: Map<string, NodeKind>, where: string, fail: (m: string) => never): void {
  const actual = d.inputs.map((i) => kinds.get(i)!.output);
  d.inputTypes.forEach((t, i) => {
    if (t && t !== actual[i]) fail(`${where}: input ${i + 1} '${d.inputs[i]}' is declared ${t} but its node outputs ${actual[i]}`);
  });
  const spec = kind.inputs;
  let expected: ArtifactType[];
  if ('variadic' in spec) {
    const min = spec.min ?? 1;
    const allowed: readonly ArtifactType[] = typeof spec.variadic === 'string' ? [spec.variadic] : spec.variadic;
    const names = allowed.join(' or ');
    if (actual.length < min) fail(`${where}: expects at least ${min} ${names} input(s), got ${actual.length}`);
    actual.forEach((t, i) => {
      if (!allowed.includes(t)) fail(`${where}: input ${i + 1} '${d.inputs[i]}' is ${t}, expected ${names}`);
    });
    return;
  } else {
    expected = [...spec];
    if (actual.length !== expected.length) {
      fail(`${where}: expects ${expected.length} input(s) (${expected.join(', ') || 'none'}), got ${actual.length}`);
    }
  }
  actual.forEach((t, i) => {
    if (t !== expected[i]) fail(`${where}: input ${i + 1} '${d.inputs[i]}' is ${t}, expected ${expected[i]}`);
  });
}

/** A cycle as a list of node names (first repeated at the end), or undefined. */
function findCycle(decls: NodeDecl[]): string[] | undefined {
  const inputs = new Map(decls.map((d) => [d.name, d.inputs]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const m of inputs.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m].reverse();
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const d of decls) {
    if (!state.has(d.name)) {
      const c = visit(d.name);
      if (c) return c;
    }
  }
  return undefined;
}

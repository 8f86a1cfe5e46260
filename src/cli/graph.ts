// `flow graph GRAPH.ts [--dot]`: print the validated DAG (text, or Graphviz dot).
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { paramDocs, type ParamDoc } from '../engine/param-docs.ts';
import { parseCommandArgs } from './parse-args.ts';
import { loadGraph } from '../engine/load.ts';
import { parseSetArgs } from '../engine/params.ts';
import type { Plan } from '../engine/validate.ts';

export const HELP = `usage: flow graph GRAPH.ts [--set NAME=VALUE]... [--dot]

Validate a graph and print its DAG: one line per node (topological order) with its kind, level,
inputs and output type, then the graph's parameters (type, value, default, doc comment). --dot
prints Graphviz instead (flow graph g.ts --dot | dot -Tsvg > g.svg).`;

export function formatText(plan: Plan): string {
  const w = Math.max(...plan.order.map((n) => n.name.length));
  const k = Math.max(...plan.order.map((n) => n.kind.kind.length));
  const lines = [`graph ${plan.graph} (${plan.file}): ${plan.order.length} nodes`];
  for (const n of plan.order) {
    const level = n.role === 'global' ? 'global' : `chunk:${n.role}`;
    const ins = n.inputs.length ? `<- ${n.inputs.join(', ')}` : '';
    lines.push(`  ${n.name.padEnd(w)}  ${n.kind.kind.padEnd(k)}  ${level.padEnd(15)}  -> ${n.kind.output.padEnd(11)}  ${ins}`.trimEnd());
  }
  return lines.join('\n');
}

/** Where a graph module declares its parameters: `const params = z.object({` or `params: z.object({`. */
const PARAMS_ANCHOR = /(?:\bparams\s*=|\bparams\s*:)\s*(?:z\.object|z\.strictObject|strictParams)\(/;

/** The graph's parameters, one per line: name, type, value in use (and the default when --set
 *  changed it, or "optional"), doc comment from the graph file. */
export function formatParams(schema: unknown, source: string, values: Record<string, unknown>): string {
  const rows = schema ? paramDocs(schema, source, PARAMS_ANCHOR) : [];
  if (rows.length === 0) return '';
  const value = (r: ParamDoc): string => {
    const v = values[r.name];
    const now = v === undefined ? (r.required ? 'required' : 'optional') : JSON.stringify(v);
    return r.default !== undefined && r.default !== now ? `${now} (default ${r.default})` : now;
  };
  const cells = rows.map((r) => [r.name, r.type, value(r), r.doc]);
  const w = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  const lines = ['params (flow run GRAPH --set NAME=VALUE):'];
  for (const c of cells) lines.push(`  ${c[0]!.padEnd(w[0]!)}  ${c[1]!.padEnd(w[1]!)}  ${c[2]!.padEnd(w[2]!)}  ${c[3]}`.trimEnd());
  return lines.join('\n');
}

export function formatDot(plan: Plan): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`digraph ${q(plan.graph)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const [src, members] of plan.groups) {
    lines.push(`  subgraph ${q(`cluster_${src}`)} { label=${q(`per chunk (${src})`)}; style=dashed; ${members.map((m) => q(m.name)).join('; ')}; }`);
  }
  for (const n of plan.order) lines.push(`  ${q(n.name)} [label=${q(`${n.name}\n${n.kind.kind} -> ${n.kind.output}`)}];`);
  for (const n of plan.order) for (const i of n.inputs) lines.push(`  ${q(i)} -> ${q(n.name)};`);
  lines.push('}');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs('graph', argv, {
    dot: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (args.values.help) {
    console.log(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UserError('graph: expected one graph file (flow graph GRAPH.ts [--dot])');
  const g = await loadGraph(args.positionals[0]!, parseSetArgs(args.values.set));
  if (args.values.dot) console.log(formatDot(g.plan));
  else {
    console.log(formatText(g.plan));
    const params = formatParams(g.def.paramsSchema, readFileSync(g.path, 'utf8'), (g.params ?? {}) as Record<string, unknown>);
    if (params) console.log(params);
  }
  return 0;
}

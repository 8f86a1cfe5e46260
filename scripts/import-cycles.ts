// `node scripts/import-cycles.ts [--load]`: the import graph of hepflow's own modules (cli.ts, src/,
// nodes/, cache/, graphs/) and its cycles, one per line. Edges are every relative import: static,
// type-only and dynamic (a type-only or lazy cycle still ties two modules together: neither can be
// understood, tested or moved without the other); `--load`: only those evaluated at module load. Also lists library
// modules (src/, cache/) that load a node kind (nodes/) at run time: the dependency runs the other
// way (type-only imports of a kind's params schema, for the graph builder's types, are fine).
// Exits 1 when it finds either. test/import-cycles.test.ts keeps both at zero.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SCOPE = ['cli.ts', 'src', 'nodes', 'cache', 'graphs'];

export interface ImportEdge {
  to: string;
  /** `import type` / `export type`: erased at run time */
  typeOnly: boolean;
  /** `import()`: loaded when first used */
  dynamic: boolean;
}


function sources(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  };
  for (const s of SCOPE) walk(join(root, s));
  return out;
}

/** Relative static imports of one module, resolved to absolute paths. */
export function moduleImports(file: string, text = readFileSync(file, 'utf8')): ImportEdge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportEdge[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(st)) {
      spec = st.moduleSpecifier;
      typeOnly = st.importClause?.isTypeOnly === true;
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      spec = st.moduleSpecifier;
      typeOnly = st.isTypeOnly;
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) out.push({ to: resolve(dirname(file), spec.text), typeOnly, dynamic: false });
  }
  // `await import('./x.ts')` anywhere: lazy, but still a dependency of this module on x
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = n.arguments;
      if (arg && ts.isStringLiteralLike(arg) && arg.text.startsWith('.')) out.push({ to: resolve(dirname(file), arg.text), typeOnly: false, dynamic: true });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** What makes an edge: every import, those evaluated when the module loads, or those that load
 *  code at run time at all (static or dynamic, not type-only). */
export const EDGES = {
  all: (): boolean => true,
  load: (e: ImportEdge): boolean => !e.typeOnly && !e.dynamic,
  runtime: (e: ImportEdge): boolean => !e.typeOnly,
} as const;

export function importGraph(root = ROOT, edges: keyof typeof EDGES = 'all'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of sources(root)) graph.set(relative(root, f), [...new Set(moduleImports(f).filter(EDGES[edges]).map((e) => relative(root, e.to)))]);
  return graph;
}

/** Strongly connected components with more than one module (or a self-import), Tarjan's algorithm,
 *  iteratively (the graph has ~500 nodes; recursion would be fine, a loop is as short). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const deps = graph.get(top.v) ?? [];
      if (top.i < deps.length) {
        const w = deps[top.i++]!;
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.v);
        if (scc.length > 1 || deps.includes(top.v)) out.push(scc.sort());
      }
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Library modules (src/, cache/) that load a node kind module at run time. */
export function libraryToNodeKind(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    if (!from.startsWith('src/') && !from.startsWith('cache/')) continue;
    for (const d of deps) if (d.startsWith('nodes/')) out.push(`${from} -> ${d}`);
  }
  return out.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const graph = importGraph(ROOT, process.argv.includes('--load') ? 'load' : 'all');
  const cycles = findCycles(graph);
  const upward = libraryToNodeKind(importGraph(ROOT, 'runtime'));
  for (const c of cycles) console.log(`cycle: ${c.join(' <-> ')}`);
  for (const u of upward) console.log(`library loads a node kind: ${u}`);
  console.log(`${graph.size} modules, ${cycles.length} cycle(s), ${upward.length} library -> node kind import(s)`);
  process.exitCode = cycles.length || upward.length ? 1 : 0;
}

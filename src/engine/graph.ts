// The graph API users write analyses with:
//   export default graph('atlas-hzz', { params: z.object({ bins: z.number().default(34) }) }, (g, p) => {
//     const files = g.fetch('inputs', { samples: { data: ['data_A.root'] } });
//     const ev = g.skim('skim', files, { tree: 'mini', branches: ['lep_*'] });
//     g.fill('m4l', ev, { ... });
//   });
// `graph()` only records how to build the DAG; `instantiate()` runs the builder with parsed params
// and returns plain node declarations (kinds still by name, resolved lazily by the registry).
import type { z, ZodType } from 'zod';
import type { ArtifactType, NodeKind } from './node-kind.ts';
import type { FillFn } from '../analysis/fill-chunk.ts';
import type { SelectFn } from '../analysis/select-chunk.ts';
import type { params as FetchSchema } from '../../nodes/fetch.ts';
import type { params as GenerateSchema } from '../../nodes/generate.ts';
import type { params as SkimSchema } from '../../nodes/skim.ts';
import type { params as SelectSchema } from '../../nodes/select.ts';
import type { params as FillSchema } from '../../nodes/fill.ts';
import type { params as MergeSchema } from '../../nodes/merge.ts';
import type { params as PseudodataSchema } from '../../nodes/pseudodata.ts';
import type { workspaceOptions } from '../../nodes/build-workspace.ts';
import type { params as FitSchema } from '../../nodes/fit.ts';
import type { params as LimitSchema } from '../../nodes/limit.ts';
import type { params as ScanSchema } from '../../nodes/scan.ts';
import type { params as RankingSchema } from '../../nodes/ranking.ts';
import type { params as DatacardSchema } from '../../nodes/datacard.ts';
import type { params as PlotSchema } from '../../nodes/plot.ts';
import type { params as LoadHistogramsSchema } from '../../nodes/load-histograms.ts';
import type { params as LoadWorkspaceSchema } from '../../nodes/load-workspace.ts';
import type { params as TemplatesSchema } from '../../nodes/templates.ts';
import type { cabinetryConfigSchema } from '../stats/build/cabinetry-config.ts';

/** A typed reference to a node's output; mistyped inputs fail at type-check and at validation. */
export interface Handle<T extends ArtifactType = ArtifactType> {
  readonly node: string;
  readonly type: T;
}

export type Input = Handle | string;

export interface NodeDecl {
  name: string;
  /** Kind name (resolved lazily from nodes/<kind>.ts) or an inline kind object. */
  kind: string | NodeKind;
  /** Names of the input nodes, in order. */
  inputs: string[];
  /** Declared artifact type of each input handle (undefined for string references). */
  inputTypes: Array<ArtifactType | undefined>;
  /** Raw params as written by the user (validated against the kind's zod schema later). */
  params: unknown;
}

// Params of the built-in kinds, typed from their zod schemas (`z.input`: what a graph writes, with
// defaults optional). Type-only imports: the kinds still load lazily, by name, at validation.
export type FetchParams = z.input<typeof FetchSchema>;
export type GenerateParams = z.input<typeof GenerateSchema>;
export type SelectParams<O extends Record<string, unknown> = Record<string, unknown>> = Omit<z.input<typeof SelectSchema>, 'select' | 'options'> & {
  select: SelectFn<O>;
  /** JSON-able options handed to the function (part of the cache key) */
  options?: O;
};
/** Generic over the options (`O`) and the histogram names (`H`): the fill function sees
 *  `h.Signal_region` and `options.lumi` typed, from the params' own `histograms` and `options`. */
export type FillParams<O extends Record<string, unknown> = Record<string, unknown>, H extends string = string> = Omit<z.input<typeof FillSchema>, 'histograms' | 'fill' | 'options'> & {
  /** histogram name -> axes */
  histograms: Record<H, z.input<typeof FillSchema>['histograms'][string]>;
  fill: FillFn<O, H>;
  options?: O;
};
export type MergeParams = z.input<typeof MergeSchema>;
export type PseudodataParams = z.input<typeof PseudodataSchema>;
/** The options, or the cabinetry config itself (object or YAML path). */
export type BuildWorkspaceParams = z.input<typeof workspaceOptions> | z.input<typeof cabinetryConfigSchema> | string;
export type FitParams = z.input<typeof FitSchema>;
export type LimitParams = z.input<typeof LimitSchema>;
export type ScanParams = z.input<typeof ScanSchema>;
export type RankingParams = z.input<typeof RankingSchema>;
export type DatacardParams = z.input<typeof DatacardSchema>;
export type PlotParams = z.input<typeof PlotSchema>;
export type LoadHistogramsParams = z.input<typeof LoadHistogramsSchema>;
export type LoadWorkspaceParams = z.input<typeof LoadWorkspaceSchema>;
export type TemplatesParams = z.input<typeof TemplatesSchema>;

/** Names containing a glob character match several branches: their row type cannot be known. */
type HasGlob<B extends readonly string[]> = true extends { [I in keyof B]: B[I] extends `${string}${'*' | '?'}${string}` ? true : false }[number] ? true : false;
/** The row `where` sees: one field per listed branch (a number, or a typed-array view for jagged
 *  and fixed-size branches); any field with globs or without a branch list. */
export type SkimRow<B extends readonly string[] = readonly string[]> = string[] extends B ? Record<string, any> : HasGlob<B> extends true ? Record<string, any> : { readonly [K in B[number]]: any };
export type SkimParams<B extends readonly string[] = readonly string[]> = Omit<z.input<typeof SkimSchema>, 'branches' | 'where'> & {
  /** Branch names or glob patterns (`Jet_*`, `lep_?`); default: all branches. */
  branches?: B;
  /** Per-event filter over the listed branches (reading any other field is an error). */
  where?: (row: SkimRow<B>) => boolean;
};

/** Output artifact types of the built-in kinds (for `g.node('kind', ...)` typing). */
export interface BuiltinOutputs {
  fetch: 'FileSet';
  generate: 'FileSet';
  skim: 'EventChunks';
  select: 'EventChunks';
  fill: 'Histograms';
  merge: 'Histograms';
  pseudodata: 'Histograms';
  'build-workspace': 'Workspace';
  fit: 'FitResult';
  limit: 'LimitResult';
  datacard: 'Datacards';
  plot: 'Figures';
  scan: 'Json';
  ranking: 'Json';
  'load-histograms': 'Histograms';
  'load-workspace': 'Workspace';
  templates: 'Json';
}

export class GraphBuilder {
  readonly decls: NodeDecl[] = [];
  /** Names declared more than once (reported by validation, with the graph file). */
  readonly duplicates: string[] = [];

  /** Generic node: any registered kind (by name) or an inline kind object. */
  node<K extends keyof BuiltinOutputs>(kind: K, name: string, inputs: Input | Input[], params?: unknown): Handle<BuiltinOutputs[K]>;
  node<O extends ArtifactType>(kind: NodeKind & { output: O }, name: string, inputs: Input | Input[], params?: unknown): Handle<O>;
  node(kind: string, name: string, inputs: Input | Input[], params?: unknown): Handle;
  node(kind: string | NodeKind, name: string, inputs: Input | Input[], params: unknown = {}): Handle {
    if (typeof name !== 'string' || name === '') throw new TypeError(`node name must be a non-empty string (kind ${kindName(kind)})`);
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (this.decls.some((d) => d.name === name)) this.duplicates.push(name);
    this.decls.push({
      name,
      kind,
      inputs: list.map((h) => (typeof h === 'string' ? h : h?.node)),
      inputTypes: list.map((h) => (typeof h === 'string' ? undefined : h?.type)),
      params,
    });
    const output = typeof kind === 'string' ? (builtinOutput as unknown as Record<string, ArtifactType>)[kind] ?? 'Json' : kind.output;
    return { node: name, type: output };
  }

  fetch(name: string, params: FetchParams): Handle<'FileSet'> {
    return this.node('fetch', name, [], params);
  }
  /** An existing histograms.root or histograms JSON file: a graph with no event processing. */
  loadHistograms(name: string, params: LoadHistogramsParams): Handle<'Histograms'> {
    return this.node('load-histograms', name, [], params);
  }
  /** An existing pyhf workspace.json. */
  loadWorkspace(name: string, params: LoadWorkspaceParams): Handle<'Workspace'> {
    return this.node('load-workspace', name, [], params);
  }
  /** Synthetic input samples (`flow gen`), written once into the cache: offline inputs. */
  generate(name: string, params: GenerateParams): Handle<'FileSet'> {
    return this.node('generate', name, [], params);
  }
  /** `where`'s row has the listed branches as fields (a literal list is kept as its tuple type). */
  skim<const B extends readonly string[] = readonly string[]>(name: string, files: Handle<'FileSet'>, params: SkimParams<B>): Handle<'EventChunks'> {
    return this.node('skim', name, [files], params);
  }
  select<O extends Record<string, unknown> = Record<string, unknown>>(name: string, events: Handle<'EventChunks'>, params: SelectParams<O>): Handle<'EventChunks'> {
    return this.node('select', name, [events], params);
  }
  fill<O extends Record<string, unknown> = Record<string, unknown>, H extends string = string>(name: string, events: Handle<'EventChunks'>, params: FillParams<O, H>): Handle<'Histograms'> {
    return this.node('fill', name, [events], params);
  }
  merge(name: string, histograms: Handle<'Histograms'> | Handle<'Histograms'>[], params: MergeParams = {}): Handle<'Histograms'> {
    return this.node('merge', name, histograms, params);
  }
  /** A data-like category from the sum of simulated templates (optionally Poisson-fluctuated). */
  pseudodata(name: string, histograms: Handle<'Histograms'>, params: PseudodataParams = {}): Handle<'Histograms'> {
    return this.node('pseudodata', name, [histograms], params);
  }
  buildWorkspace(name: string, histograms: Handle<'Histograms'>, config: BuildWorkspaceParams): Handle<'Workspace'> {
    return this.node('build-workspace', name, [histograms], config);
  }
  fit(name: string, workspace: Handle<'Workspace'>, params: FitParams = {}): Handle<'FitResult'> {
    return this.node('fit', name, [workspace], params);
  }
  limit(name: string, workspace: Handle<'Workspace'>, params: LimitParams = {}): Handle<'LimitResult'> {
    return this.node('limit', name, [workspace], params);
  }
  /** Profile-likelihood scan of one or two parameters (nodes/scan.ts). */
  scan(name: string, workspace: Handle<'Workspace'>, params: ScanParams): Handle<'Json'> {
    return this.node('scan', name, [workspace], params);
  }
  /** Impacts of the nuisance parameters on the POI (nodes/ranking.ts). */
  ranking(name: string, workspace: Handle<'Workspace'>, params: RankingParams = {}): Handle<'Json'> {
    return this.node('ranking', name, [workspace], params);
  }
  /** Template figures (nominal with up/down per systematic and region) and the modifier grid (nodes/templates.ts). */
  templates(name: string, workspace: Handle<'Workspace'>, params: TemplatesParams = {}): Handle<'Json'> {
    return this.node('templates', name, [workspace], params);
  }
  datacard(name: string, histograms: Handle<'Histograms'>, params: DatacardParams): Handle<'Datacards'> {
    return this.node('datacard', name, [histograms], params);
  }
  plot(name: string, inputs: Handle | Handle[], params: PlotParams = {}): Handle<'Figures'> {
    return this.node('plot', name, inputs, params);
  }
}

const builtinOutput: BuiltinOutputs = {
  fetch: 'FileSet', generate: 'FileSet', skim: 'EventChunks', select: 'EventChunks', fill: 'Histograms', merge: 'Histograms', pseudodata: 'Histograms',
  'build-workspace': 'Workspace', fit: 'FitResult', limit: 'LimitResult', datacard: 'Datacards', plot: 'Figures', scan: 'Json', ranking: 'Json',
  'load-histograms': 'Histograms', 'load-workspace': 'Workspace', templates: 'Json',
};

export function kindName(kind: string | NodeKind): string {
  return typeof kind === 'string' ? kind : kind.kind;
}

export const GRAPH_TAG = Symbol.for('hepflow.graph');

export interface GraphDef<P = any> {
  readonly [GRAPH_TAG]: true;
  readonly name: string;
  readonly paramsSchema?: ZodType<P>;
  readonly build: (g: GraphBuilder, params: P) => void;
}

export interface GraphOptions<P> {
  /** zod object schema of the graph's parameters (settable with `flow run --set k=v`). */
  params?: ZodType<P>;
}

/** Define a graph: `graph(name, build)` or `graph(name, { params }, build)`. */
export function graph(name: string, build: (g: GraphBuilder, params: Record<string, never>) => void): GraphDef<Record<string, never>>;
export function graph<P>(name: string, opts: GraphOptions<P>, build: (g: GraphBuilder, params: P) => void): GraphDef<P>;
export function graph(name: string, a: unknown, b?: unknown): GraphDef {
  const build = (typeof a === 'function' ? a : b) as GraphDef['build'];
  const opts = (typeof a === 'function' ? {} : (a ?? {})) as GraphOptions<unknown>;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new TypeError(`graph name must be a plain name (letters, digits, _ . -), got ${JSON.stringify(name)}`);
  }
  if (typeof build !== 'function') throw new TypeError(`graph('${name}'): missing the build function`);
  return { [GRAPH_TAG]: true, name, paramsSchema: opts.params, build };
}

export function isGraphDef(v: unknown): v is GraphDef {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[GRAPH_TAG] === true;
}

/** Run the builder with already-parsed params. Exceptions thrown by the user's builder propagate. */
export function instantiate(def: GraphDef, params: unknown): GraphBuilder {
  const g = new GraphBuilder();
  def.build(g, params);
  return g;
}

// hepflow's public API: `import { graph, z } from 'hepflow'` in a graph module.
import { z } from 'zod';

export { z };
export { graph, GraphBuilder, type GraphDef, type Handle, type GraphOptions } from './engine/graph.ts';
// the options of each built-in kind as a graph writes them (typed from the kinds' zod schemas)
export type {
  FetchParams, GenerateParams, SkimParams, SkimRow, SelectParams, FillParams, MergeParams, PseudodataParams,
  BuildWorkspaceParams, FitParams, LimitParams, DatacardParams, PlotParams,
} from './engine/graph.ts';
export { strictParams } from './engine/strict-params.ts';
export { defineNodeKind } from './engine/node-kind.ts';
export type {
  ArtifactType, ChunkContext, ChunkNodeKind, ChunkRange, ChunkSpec, Codec, EventBatch, FileInfo, FileSet, GlobalNodeKind,
  NodeContext, NodeKind, OutputContext, PlanContext, Reducer,
} from './engine/node-kind.ts';
export { registerNodeKind } from './engine/registry.ts';
export type { RunEvent } from './engine/events.ts';
export type { Column, ColumnBatch, EventColumn, EventColumnBatch, FixedSize, Jagged, NumericArray } from './columns.ts';
export { UserError } from './errors.ts';

/** zod schema of a user function in node params: `where: fn<(e: Row) => boolean>()`. */
export function fn<T extends (...args: any[]) => unknown>(message = 'expected a function') {
  return z.custom<T>((v) => typeof v === 'function', { message });
}

// What graph modules use every day: columnar helpers, histogram axes, node function types.
export * from './columnar/index.ts';
export { Hist, regular, variable, strCategory, intCategory } from './hist/index.ts';
export type { HistogramsArtifact } from './hist/index.ts';
export type { SelectFn, SelectResult, SelectContext } from '../nodes/select.ts';
export type { FillFn, FillContext } from '../nodes/fill.ts';

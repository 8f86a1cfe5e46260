// Models rebuilt from a workspace once per thread: the items of a parallel scan (likelihood scan,
// ranking) carry the workspace and a key naming it, and a worker builds the model on the first item.
import { createHash } from 'node:crypto';
import { buildModel, type Model, type ModelOptions } from './model.ts';
import type { Workspace } from './workspace.ts';

/** What a work item carries so that any thread can rebuild its model. */
export interface ModelRef { model: string; workspace: Workspace; measurement?: string; options?: ModelOptions }

const MAX_MODELS = 4;
const models = new Map<string, Model>();

export function modelRef(workspace: Workspace, measurement?: string, options?: ModelOptions): ModelRef {
  const opts = options && Object.keys(options).length ? options : undefined;
  // (without options the key is what it was: memoised scan points and impacts stay valid)
  const model = createHash('sha256').update(JSON.stringify(opts ? [workspace, measurement ?? null, opts] : [workspace, measurement ?? null])).digest('hex');
  return { model, workspace, ...(measurement ? { measurement } : {}), ...(opts ? { options: opts } : {}) };
}

export function modelOf(ref: ModelRef): Model {
  let m = models.get(ref.model);
  if (!m) {
    if (models.size >= MAX_MODELS) models.delete(models.keys().next().value!);
    models.set(ref.model, (m = buildModel(ref.workspace, ref.measurement, ref.options)));
  }
  return m;
}

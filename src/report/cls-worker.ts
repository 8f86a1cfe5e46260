// Worker thread of a parallel CLs scan: builds the model once, does the POI-independent fits on the
// first request, then answers one POI value per message with its CLs point.
import { parentPort, workerData } from 'node:worker_threads';
import { hypotestAt, hypotestContext, type HypotestContext } from '../stats/infer/hypotest.ts';
import { buildModel } from '../stats/model.ts';
import type { Workspace } from '../stats/workspace.ts';
import type { ClsPoint } from './artifacts.ts';

const { workspace, measurement } = workerData as { workspace: Workspace; measurement?: string };
const model = buildModel(workspace, measurement);
let ctx: HypotestContext | undefined;

parentPort!.on('message', (mu: number) => {
  ctx ??= hypotestContext(model);
  const h = hypotestAt(ctx, mu);
  const point: ClsPoint = { poi: mu, cls_obs: h.clsObs, cls_exp: h.clsExp };
  parentPort!.postMessage(point);
});

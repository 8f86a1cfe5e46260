// limit: asymptotic CLs (qtilde) at one POI value, the upper limit at `cl` (observed and the -2..+2
// sigma band), the discovery significance, and a CLs scan over the POI for the Brazil plot. Every
// scan point is memoised in the cache and reported as progress, so an interrupted scan resumes where
// it stopped; a long scan runs on the engine's worker pool (ctx.parallel). limit.json has the
// `flow limit --json` keys plus the scan.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import type { HypotestContext } from '../src/stats/infer/hypotest.ts';
import type { Model } from '../src/stats/model.ts';
import type { Workspace } from '../src/stats/workspace.ts';
import { pyhfWorkspace, type ClsPoint, type LimitResultArtifact, type WorkspaceArtifact } from '../src/report/artifacts.ts';

export const params = strictParams({
  /** Measurement of the workspace to use (default: its first). */
  measurement: z.string().optional(),
  /** POI value of the CLs test */
  poiValue: z.number().default(1),
  /** confidence level of the upper limit */
  cl: z.number().gt(0).lt(1).default(0.95),
  /** CLs scan for the Brazil plot (default: 21 points from the POI's lower bound to 1.2 x the
   *  largest limit of the band); points: 0 disables it */
  scan: strictParams({ lo: z.number(), hi: z.number(), points: z.int().min(0).max(10_000) })
    .refine((s) => s.points < 2 || s.lo < s.hi, { message: 'lo must be below hi' }).optional(),
  /** scan points on the worker pool (with --workers > 1): 'auto' when the rest of the scan would
   *  take over a second at the pace of the points done here */
  parallel: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  /** 'asymptotics', or 'toys': CLs at poiValue and the upper limits from toys (pyhf's ToyCalculator,
   *  limits interpolated on a grid of toys.points POI values) */
  calculator: z.enum(['asymptotics', 'toys']).default('asymptotics'),
  toys: z.strictObject({
    ntoys: z.int().min(1).max(1_000_000).default(1000), seed: z.int().min(0).default(0),
    /** POI values of the toy upper limits (0: the limits stay asymptotic) */
    points: z.int().min(0).max(1000).default(10),
    /** their range (default: half the smallest to 1.5 x the largest asymptotic limit) */
    range: z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, { message: 'lo must be below hi' }).optional(),
  }).default({ ntoys: 1000, seed: 0, points: 10 }),
  /** File under --out for the result (flow limit --json's format); false: none. */
  output: z.union([z.string(), z.literal(false)]).default('limit.json'),
  /** the toys' test-statistic figure (calculator 'toys') */
  toysFigure: z.union([z.string(), z.literal(false)]).default('toys.svg'),
});
type Params = z.infer<typeof params>;

const DEFAULT_POINTS = 21;
const PARALLEL_AFTER_MS = 1000;

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (x 10^k) at or above x: a readable axis end. */
export function niceCeil(x: number): number {
  const e = 10 ** Math.floor(Math.log10(x));
  const m = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((f) => f * e >= x * (1 - 1e-12))!;
  return Number((m * e).toPrecision(12));
}

/** The scan grid: given, or spanning the whole expected band and the observed limit. */
export function scanGrid(p: Partial<Params>, poiLower: number, limits: number[]): number[] {
  const lo = p.scan?.lo ?? Math.max(0, poiLower);
  const hi = p.scan?.hi ?? niceCeil(1.2 * Math.max(...limits.filter(Number.isFinite), lo + 1e-3));
  const n = p.scan?.points ?? DEFAULT_POINTS;
  if (n === 0) return [];
  if (n === 1) return [lo];
  // rounded so that the memo keys of a resumed scan are the same numbers
  return Array.from({ length: n }, (_, i) => Number((lo + ((hi - lo) * i) / (n - 1)).toPrecision(12)));
}

const yieldToEventLoop = () => new Promise<void>((res) => setImmediate(res));

/** One CLs point to compute: carries the model so a worker can build it (`model` names it). */
export interface ClsItem { model: string; workspace: Workspace; measurement?: string; poi: number }

/** Models and their POI-independent fits, per thread (a scan's items share one model). */
const models = new Map<string, { model: Model; hypo?: HypotestContext }>();
const stats = () => Promise.all([import('../src/stats/model.ts'), import('../src/stats/infer/hypotest.ts')]);

async function modelFor(item: Omit<ClsItem, 'poi'>): Promise<{ model: Model; hypo: () => HypotestContext }> {
  const [{ buildModel }, { hypotestContext }] = await stats();
  let m = models.get(item.model);
  if (!m) {
    if (models.size >= 4) models.delete(models.keys().next().value!);
    models.set(item.model, (m = { model: buildModel(item.workspace, item.measurement) }));
  }
  const entry = m;
  return { model: entry.model, hypo: () => (entry.hypo ??= hypotestContext(entry.model)) };
}

/** One batch of toys: the qtilde values (src/stats/infer/toys.ts). */
interface ToyItem extends Omit<ClsItem, 'poi'> { mu: number; pars: number[]; seed: number; count: number }

async function toysTask(item: ToyItem): Promise<number[]> {
  const [{ modelOf }, { toyBatch }] = await Promise.all([import('../src/stats/model-cache.ts'), import('../src/stats/infer/toys.ts')]);
  return toyBatch(modelOf(item), item.mu, Float64Array.from(item.pars), item.seed, item.count);
}

/** Toy CLs at mu and the toy upper limits, every batch on the worker pool and in the cache. */
async function toyCls(ctx: NodeContext, base: Omit<ClsItem, 'poi'>, model: Model, mu: number, p: Params, asymptotic: number[]) {
  const [{ toyGrid, linearGrid, toyScan, toyLimitFromScan, toyLimitNotes }] = await Promise.all([import('../src/stats/infer/toy-limit.ts')]);
  const run = (jobs: Array<{ mu: number; pars: number[]; seed: number; count: number }>) =>
    ctx.parallel<ToyItem, number[]>('toys', jobs.map((j): ToyItem => ({ ...base, mu: j.mu, pars: j.pars, seed: j.seed, count: j.count })), { memo: true });
  const lower = model.lower[model.poiIndex]!;
  const grid = p.toys.points === 0 ? [] : p.toys.range ? linearGrid(p.toys.range[0], p.toys.range[1], p.toys.points) : toyGrid(asymptotic, p.toys.points, lower);
  const all = [...new Set([mu, ...grid])];
  const results = await toyScan(model, all, { ntoys: p.toys.ntoys, seed: p.toys.seed }, run);
  const r = results[all.indexOf(mu)]!;
  const limit = grid.length ? toyLimitFromScan(grid.map((g) => results[all.indexOf(g)]!)) : undefined;
  const svg = p.toysFigure === false ? undefined : await (await import('../src/plot/toys.ts')).toysPlot({ poi: model.poiName, mu, qObs: r.qObs, sb: r.sb, b: r.b });
  return { r, svg, limit, notes: limit ? toyLimitNotes(limit, model.poiName) : [] };
}

async function clsTask(item: ClsItem): Promise<ClsPoint> {
  const [, { hypotestAt }] = await stats();
  const { hypo } = await modelFor(item);
  const h = hypotestAt(hypo(), item.poi);
  return { poi: item.poi, cls_obs: h.clsObs, cls_exp: h.clsExp };
}

export default defineNodeKind({
  kind: 'limit',
  level: 'global',
  version: '6',
  description: 'asymptotic CLs, upper limit with the expected band, CLs scan (resumable, parallel)',
  params,
  inputs: ['Workspace'],
  output: 'LimitResult',
  tasks: { cls: clsTask, toys: toysTask },
  async run(inputs: [WorkspaceArtifact], p: Params, ctx: NodeContext): Promise<LimitResultArtifact> {
    const where = `limit node '${ctx.node}'`;
    // the fitter loads only when a limit runs (a cached run validates this kind but never fits)
    const [{ significance }, { limitNotes, upperLimit }, { loadWorkspace }] = await Promise.all([
      import('../src/stats/infer/significance.ts'), import('../src/stats/infer/upper-limit.ts'), import('../src/stats/workspace.ts'),
    ]);
    const workspace = loadWorkspace(pyhfWorkspace(inputs[0]), where);
    const base = { model: createHash('sha256').update(JSON.stringify([workspace, p.measurement ?? null])).digest('hex'), workspace, ...(p.measurement ? { measurement: p.measurement } : {}) };
    const { model, hypo } = await modelFor(base);
    const item = (poi: number): ClsItem => ({ ...base, poi });
    // the same memo key as ctx.parallel's ([task, item]): serial and parallel runs share points
    const computed = new Set<number>();
    const point = (poi: number): Promise<ClsPoint> => ctx.memo(['cls', item(poi)], () => { computed.add(poi); return clsTask(item(poi)); });
    const checkAbort = () => {
      if (ctx.signal.aborted) throw new Error(`${where}: interrupted (finished scan points are kept in the cache)`);
    };

    const asymptotic = await point(p.poiValue);
    const ul = await ctx.memo(['upper-limit', p.cl], () => {
      const r = upperLimit(model, { context: hypo(), level: 1 - p.cl });
      const notes = limitNotes(r, model.poiName, model.lower[model.poiIndex]!, model.upper[model.poiIndex]!);
      return { obs: r.obs, exp: r.exp, method: r.method, outside: r.outside, resolution: r.resolution, notes };
    });
    for (const n of ul.notes) ctx.warn(n);
    const toys = p.calculator === 'toys' ? await toyCls(ctx, base, model, p.poiValue, p, [ul.obs, ...ul.exp]) : undefined;
    const at = toys ? { cls_obs: toys.r.clsObs, cls_exp: toys.r.clsExp } : asymptotic;
    if (toys) ctx.log(`CLs(${p.poiValue}) from ${p.toys.ntoys} toys per hypothesis: ${toys.r.clsObs.toPrecision(4)} ± ${toys.r.clsObsError.toPrecision(2)} (asymptotic ${asymptotic.cls_obs.toPrecision(4)})`);
    const tl = toys?.limit;
    if (tl) ctx.log(`toy upper limit: observed ${tl.obs.toPrecision(4)} ± ${tl.obsError.toPrecision(2)} (asymptotic ${ul.obs.toPrecision(4)})`);
    const sig = await ctx.memo(['significance'], () => {
      try {
        const s = significance(model);
        return { p0Obs: s.p0Obs, p0Exp: s.p0Exp, zObs: s.zObs, zExp: s.zExp };
      } catch (err) {
        // the limit does not depend on it: report and go on
        ctx.warn(`discovery significance failed: ${(err as Error).message}`);
        return { p0Obs: NaN, p0Exp: NaN, zObs: NaN, zExp: NaN };
      }
    });

    const grid = scanGrid(p, model.lower[model.poiIndex]!, [ul.obs, ...ul.exp]);
    // Serial until the rest of the scan looks long (> PARALLEL_AFTER_MS at the pace so far), then
    // the whole grid goes to ctx.parallel (points done here are memo hits there).
    const pool = ctx.workers > 1 && p.parallel !== false;
    let spent = 0, timed = 0;
    const goParallel = (left: number) => pool && left > 1 && (p.parallel === true || (timed > 0 && (left * spent) / timed > PARALLEL_AFTER_MS));
    let scan: ClsPoint[] = [];
    while (scan.length < grid.length && !goParallel(grid.length - scan.length)) {
      checkAbort();
      const before = computed.size, t = performance.now();
      scan.push(await point(grid[scan.length]!));
      if (computed.size > before) { spent += performance.now() - t; timed++; }
      ctx.progress(scan.length, grid.length, 'points');
      await yieldToEventLoop();
    }
    const onPool = scan.length < grid.length;
    if (onPool) scan = await ctx.parallel<ClsItem, ClsPoint>('cls', grid.map(item), { memo: true });
    // (points computed in workers are not seen here: how many were reused is known only without them)
    const reused = grid.filter((mu) => !computed.has(mu)).length;
    if (grid.length) {
      ctx.log(`CLs scan: ${grid.length} points over [${grid[0]}, ${grid.at(-1)}]${onPool ? ' on the worker pool' : reused > 0 ? `, ${reused} reused from the cache` : ''}`);
    }
    return {
      cls_obs: at.cls_obs, cls_exp: at.cls_exp, upper_limit_obs: tl?.obs ?? ul.obs, upper_limit_exp: tl?.exp ?? ul.exp,
      p0_obs: sig.p0Obs, p0_exp: sig.p0Exp, significance_obs: sig.zObs, significance_exp: sig.zExp,
      poi: model.poiName, poi_value: p.poiValue, upper_limit_method: tl ? 'toys' : ul.method,
      upper_limit_outside: tl?.outside ?? ul.outside, upper_limit_resolution: tl ? new Array(6).fill(tl.resolution) : ul.resolution,
      upper_limit_notes: tl ? [...ul.notes.map((n) => `asymptotic: ${n}`), ...toys!.notes] : ul.notes,
      ...(tl ? { upper_limit_obs_error: tl.obsError, upper_limit_obs_asymptotic: ul.obs, upper_limit_exp_asymptotic: ul.exp, toy_scan: tl.points } : {}),
      measurement: model.measurement, cl: p.cl, scan,
      calculator: p.calculator,
      ...(toys ? { ntoys: p.toys.ntoys, seed: p.toys.seed, cls_obs_error: toys.r.clsObsError, toys: { q_obs: toys.r.qObs, sb: Array.from(toys.r.sb), b: Array.from(toys.r.b), svg: toys.svg } } : {}),
    };
  },
  async writeOutputs(value: LimitResultArtifact, p: Params, ctx: OutputContext) {
    const { toys, ...rest } = value;
    const json = toys ? { ...rest, toys: { q_obs: toys.q_obs, sb: toys.sb, b: toys.b } } : rest;
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(json, null, 1)}\n`);
    if (toys?.svg && p.toysFigure !== false) await ctx.writeFile(p.toysFigure, toys.svg);
  },
});

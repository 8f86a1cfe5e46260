// A chunk group (a chunk source and the chunk nodes it feeds) from its FileSet to node results:
// plan the chunks, compute the key plan, announce what is cached and what recomputes, run the
// chunks through the scheduler into the ordered reduction, attribute a failure to the node whose
// code threw, finalise each member's value, write outputs, summary and records.
import { sha256 } from '../../cache/hash.ts';
import { planChunks } from './chunk-plan.ts';
import { finaliseMember, type MemberValue } from './finalise.ts';
import { GroupKeyPlan } from './key-plan.ts';
import type { ChunkSpec, FileSet } from './node-kind.ts';
import { OrderedReduction } from './reduction.ts';
import { errorMessage, type NodeResult, type RunContext } from './run-context.ts';
import { ChunkError, ChunkScheduler } from './schedule.ts';
import type { RecomputeReason } from './events.ts';
import { chunkLabel } from './failure.ts';
import { UserError } from '../errors.ts';
import type { PlanNode } from './validate.ts';

export async function runGroup(run: RunContext, src: PlanNode): Promise<Map<string, NodeResult>> {
  const members = run.plan.groups.get(src.name)!;
  const out = new Map<string, NodeResult>();
  const fsRes = await run.results.get(src.inputs[0]!)!;
  if (!fsRes.ok) {
    for (const m of members) out.set(m.name, run.skip(m, m === src ? src.inputs[0]! : src.name));
    return out;
  }
  const tStart = performance.now();
  let chunks: ChunkSpec[];
  let skipBad = run.opts.skipBadFiles;
  try {
    const fileSet = (await fsRes.load()) as FileSet;
    skipBad ||= fileSet.skipBadFiles === true;
    chunks = await planChunks(run, src, fileSet, skipBad);
  } catch (err) {
    for (const m of members) out.set(m.name, m === src ? run.fail(m, err, tStart) : run.skip(m, src.name));
    return out;
  }

  const keys = new GroupKeyPlan(run, src, members, chunks);
  const reasons = announce(run, keys);
  const red = new OrderedReduction(run, keys);
  const groupError = (await reduceChunks(run, keys, red, skipBad)) ?? everyChunkSkipped(run, keys, red, skipBad);
  if (groupError !== undefined) {
    failGroup(run, members, src, groupError, tStart, out);
    return out;
  }

  // an unreadable merged value found later (when loaded) is rebuilt by a second pass over the chunks
  const rebuild = async (m: PlanNode): Promise<unknown> => {
    const again = new GroupKeyPlan(run, src, members, chunks, new Set([m.name]));
    const red2 = new OrderedReduction(run, again);
    const err = await reduceChunks(run, again, red2, skipBad);
    if (err !== undefined) throw err;
    return (await finaliseMember(run, m, again, red2, () => Promise.reject(new Error(`node '${m.name}': merged value unreadable twice`)))).load();
  };
  for (const m of members) {
    let v: MemberValue;
    try {
      v = await finaliseMember(run, m, keys, red, rebuild);
      await run.outputs.write(m, run.base(m.name), v.hash, v.load);
    } catch (err) {
      out.set(m.name, run.fail(m, err, tStart));
      continue;
    }
    report(run, m, keys, red, v, reasons.get(m.name));
    await run.records.write(m.name, run.base(m.name), sha256(chunks.map((c) => c.id).join(',')), v.hash);
    out.set(m.name, { ok: true, hash: v.hash, load: v.load });
  }
  return out;
}

/** node-cached for the members with nothing to do, node-start (with its reason) for the others. */
function announce(run: RunContext, keys: GroupKeyPlan): Map<string, RecomputeReason> {
  const reasons = new Map<string, RecomputeReason>();
  for (const m of keys.members) {
    if (keys.allCached(m)) {
      run.emit({ type: 'node-cached', node: m.name, kind: m.kind.kind });
      continue;
    }
    const r = run.reason(m);
    reasons.set(m.name, r);
    run.emit({ type: 'node-start', node: m.name, kind: m.kind.kind, reason: r, chunks: keys.chunks.length, cachedChunks: keys.cachedCount(m.name) });
  }
  return reasons;
}

/** Runs the chunks into `red`; returns the error that failed the group, if any (bad chunks are
 *  skipped and listed instead with --skip-bad-files). */
async function reduceChunks(run: RunContext, keys: GroupKeyPlan, red: OrderedReduction, skipBad: boolean): Promise<unknown> {
  let groupError: unknown;
  await new ChunkScheduler(run, keys).forEach((i, outcome, err) => {
    if (err === undefined) {
      red.add(i, outcome!);
      return true;
    }
    if (skipBad && err instanceof ChunkError && isUnreadable(err, keys.src.name)) {
      const c = keys.chunks[i]!;
      const path = c.file.path;
      if (!run.skippedFiles.some((f) => f.path === path)) run.skippedFiles.push({ path, reason: `${chunkLabel(c)}: ${err.reason}` });
      run.emit({ type: 'warning', node: keys.src.name, message: `skipping ${err.message}` });
      return true;
    }
    groupError = err;
    return false;
  });
  return groupError;
}

/** A chunk --skip-bad-files may skip: its source failed reading, not in a user function of the
 *  graph (its error has no location in the graph file), nor by --strict. */
function isUnreadable(err: ChunkError, src: string): boolean {
  const f = err.failure;
  return f !== undefined && f.node === src && f.at === undefined && f.code !== 'FLOW_STRICT';
}

/** With every chunk skipped there is no result: a run over no data fails (naming the first reason). */
function everyChunkSkipped(run: RunContext, keys: GroupKeyPlan, red: OrderedReduction, skipBad: boolean): UserError | undefined {
  if (!skipBad || keys.chunks.length === 0 || red.included.length > 0) return undefined;
  const paths = new Set(keys.chunks.map((c) => c.file.path));
  const first = run.skippedFiles.find((f) => paths.has(f.path));
  return new UserError(`every file of node '${keys.src.name}' was skipped (--skip-bad-files)${first ? `; the first, ${first.path}: ${first.reason}` : ''}`);
}

/** The node whose code threw fails; the others of the group did not: those fed by it are skipped
 *  (their input failed, as for any node downstream of a failure), the rest only shared its chunks
 *  and stopped with it (their finished chunks stay cached). */
function failGroup(run: RunContext, members: PlanNode[], src: PlanNode, err: unknown, tStart: number, out: Map<string, NodeResult>): void {
  const named = err instanceof ChunkError ? err.failure?.node : undefined;
  const culprit = members.find((m) => m.name === named) ?? src;
  const fed = new Set([culprit.name]);
  for (const m of members) if (m.inputs.some((i) => fed.has(i))) fed.add(m.name);
  for (const m of members) {
    if (m === culprit) out.set(m.name, run.fail(m, err, tStart));
    else if (fed.has(m.name)) out.set(m.name, run.skip(m, culprit.name));
    else out.set(m.name, run.stopped(m, culprit.name));
  }
}

function report(run: RunContext, m: PlanNode, keys: GroupKeyPlan, red: OrderedReduction, v: MemberValue, reason: RecomputeReason | undefined): void {
  const t = red.tally.get(m.name);
  const n = keys.chunks.length;
  const events = keys.cachedEvents(m.name) + (t?.computedEvents ?? 0) + (t?.foundEvents ?? 0);
  const counts = { chunks: n, events, cached_chunks: keys.cachedCount(m.name) };
  if ((t?.computedChunks ?? 0) === 0 && !v.computed) {
    if (!keys.allCached(m)) run.emit({ type: 'node-cached', node: m.name, kind: m.kind.kind });
    run.summary[m.name] = { status: 'cached', reason: 'unchanged', seconds: 0, ...counts };
    return;
  }
  const seconds = t?.seconds ?? 0;
  const why = t?.corrupt ? 'corrupt' : reason ?? 'new';
  run.emit({ type: 'node-done', node: m.name, kind: m.kind.kind, seconds, outputUnchanged: run.records.get(m.name)?.output === v.hash || undefined, chunks: n, events, cachedChunks: counts.cached_chunks });
  run.summary[m.name] = { status: 'computed', reason: why, seconds, ...counts };
}

// The global-node runner: once its inputs are ready, a global node is served from the cache under
// `globalKey(base, input output hashes)`, or run in the main thread and stored. A volatile kind
// (declared by the kind: fetch, generate) is never served from the cache: it runs every time and
// is reported cached when its output hash is the recorded one. A cached value that turns out
// unreadable when it is loaded is recomputed.
import { sha256 } from '../../cache/hash.ts';
import { UserError } from '../errors.ts';
import { hashEncoded, isCacheCorruption, readValue, type EntryMeta } from './cached-value.ts';
import { structuredCodec } from './codecs.ts';
import type { RecomputeReason } from './events.ts';
import { describeError } from './failure.ts';
import { once } from './finalise.ts';
import { callInterruptibly, RunCancelled, untilCancelled } from './interrupt.ts';
import { globalKey } from './keys.ts';
import { nodeContext } from './node-context.ts';
import type { Codec, FileSet, GlobalNodeKind } from './node-kind.ts';
import type { NodeResult, RunContext } from './run-context.ts';
import type { PlanNode } from './validate.ts';

type Ok = Extract<NodeResult, { ok: true }>;

export async function runGlobal(run: RunContext, n: PlanNode): Promise<NodeResult> {
  const ins = await Promise.all(n.inputs.map((i) => run.results.get(i)!));
  const badIdx = ins.findIndex((r) => !r.ok);
  if (badIdx >= 0) return run.skip(n, n.inputs[badIdx]!);
  run.checkCancel();
  const kind = n.kind as GlobalNodeKind;
  const inputHashes = (ins as Ok[]).map((r) => r.hash);
  const key = globalKey(run.base(n.name), inputHashes);
  const tStart = performance.now();
  const { store } = run;
  if (store && kind.cacheable !== false && !kind.volatile && !run.forced.has(n.name)) {
    const e = store.get(key);
    if (e) return serveCached(run, n, key, e.outputHash, ins as Ok[], tStart);
  }
  const inputsHash = sha256(inputHashes.join(','));
  const base = run.base(n.name);
  // a volatile node whose own parts are unchanged recomputes because the world changed
  const reason = kind.volatile && run.records.get(n.name) && !run.forced.has(n.name) && !run.records.ownReason(n.name, base) ? 'input' : run.reason(n, inputsHash);
  try {
    const { value, hash } = await compute(run, n, key, ins as Ok[], reason);
    const load = async () => value;
    await run.outputs.write(n, base, hash, load);
    const seconds = (performance.now() - tStart) / 1000;
    const unchanged = run.records.get(n.name)?.output === hash;
    if (kind.volatile && unchanged && !run.forced.has(n.name)) {
      run.emit({ type: 'node-cached', node: n.name, kind: kind.kind });
      run.summary[n.name] = { status: 'cached', reason: 'unchanged', seconds };
    } else {
      if (kind.volatile) run.emit({ type: 'node-start', node: n.name, kind: kind.kind, reason });
      run.emit({ type: 'node-done', node: n.name, kind: kind.kind, seconds, outputUnchanged: unchanged || undefined });
      run.summary[n.name] = { status: 'computed', reason, seconds };
    }
    if (kind.output === 'FileSet') run.skippedFiles.push(...((value as FileSet).skipped ?? []));
    await run.records.write(n.name, base, inputsHash, hash);
    return { ok: true, hash, load };
  } catch (err) {
    return run.fail(n, err, tStart);
  }
}

async function serveCached(run: RunContext, n: PlanNode, key: string, hash: string, ins: Ok[], tStart: number): Promise<NodeResult> {
  const kind = n.kind as GlobalNodeKind;
  run.store!.touch(key);
  const load = once(async () => {
    try {
      return await readValue(run.store!, key, codecOf(kind));
    } catch (err) {
      if (!(await isCacheCorruption(err))) throw err;
      run.emit({ type: 'warning', node: n.name, message: `corrupt cache entry, recomputing: ${(err as Error).message}` });
      run.summary[n.name] = { status: 'computed', reason: 'corrupt', seconds: 0 };
      return (await compute(run, n, key, ins, 'corrupt')).value;
    }
  });
  try {
    await run.outputs.write(n, run.base(n.name), hash, load);
  } catch (err) {
    return run.fail(n, err, tStart);
  }
  if (!run.summary[n.name]) {
    run.emit({ type: 'node-cached', node: n.name, kind: kind.kind });
    run.summary[n.name] = { status: 'cached', reason: 'unchanged', seconds: 0 };
  } else run.emit({ type: 'node-done', node: n.name, kind: kind.kind, seconds: (performance.now() - tStart) / 1000 }); // recomputed (corrupt)
  return { ok: true, hash, load };
}

async function compute(run: RunContext, n: PlanNode, key: string, ins: Ok[], reason: RecomputeReason): Promise<{ value: unknown; hash: string }> {
  const kind = n.kind as GlobalNodeKind;
  if (!kind.volatile) run.emit({ type: 'node-start', node: n.name, kind: kind.kind, reason });
  const values = await Promise.all(ins.map((r) => r.load()));
  const ctx = nodeContext(run, n, key);
  let value: unknown;
  try {
    value = await untilCancelled(Promise.resolve(callInterruptibly(() => kind.run(values, n.params, ctx), { signals: true })), run.opts.signal);
  } catch (err) {
    if (err instanceof RunCancelled || err instanceof UserError) throw err;
    throw new Error(describeError(n.name, kind.kind, err, run.g.path), { cause: err });
  }
  const enc = codecOf(kind).encode(value);
  const hash = hashEncoded(enc);
  if (run.store && kind.cacheable !== false && !kind.volatile) {
    await run.store.put({ key, label: { graph: run.plan.graph, node: n.name, kind: kind.kind }, meta: { c: enc.meta, n: 0 } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash });
  }
  return { value, hash };
}

function codecOf(kind: GlobalNodeKind): Codec<unknown> {
  return (kind.codec ?? structuredCodec) as Codec<unknown>;
}

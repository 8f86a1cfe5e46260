// The hand-written workspace check (src/stats/workspace-shape.ts) against the zod schema it stands in
// for: it accepts every reference workspace, and on thousands of damaged copies (seeded: a key
// dropped or added, a value of another type, an empty list, a bad number, one edit anywhere in the
// tree) it is never true where the schema refuses; where both accept, loading gives what zod gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformsToWorkspaceSchema } from '../src/stats/workspace-shape.ts';
import { workspaceSchema } from '../src/stats/workspace-schema.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

const REFS = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
const refs = readdirSync(REFS).filter((f) => f.endsWith('.json')).map((f) => ({ name: f, ws: JSON.parse(readFileSync(join(REFS, f), 'utf8')).workspace as unknown }));

/** xorshift32: the same damaged copies every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Every (container, key) in the tree, the root's own keys included. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), slots(x, out)));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), slots(x, out));
  return out;
}

const REPLACEMENTS: unknown[] = [null, 'x', '1.0.0', 'lumi', 'normsys', 'histosys', 'staterror', 'normfactor', 0, 1.5, -1, Number.NaN, Infinity, true, [], [1], [[1, 2]], [1, 2, 3], {}, { hi: 1, lo: 1 }, { hi_data: [1], lo_data: [1] }, undefined];

function damage(ws: unknown, r: () => number): unknown {
  const copy = structuredClone(ws);
  const all = slots(copy);
  const [holder, key] = all[Math.floor(r() * all.length)]!;
  const what = r();
  if (Array.isArray(holder)) {
    const i = key as number;
    if (what < 0.3) holder.splice(i, 1);
    else if (what < 0.4) holder.push(structuredClone(holder[i]));
    else if (what < 0.45) holder.length = 0;
    else holder[i] = REPLACEMENTS[Math.floor(r() * REPLACEMENTS.length)];
  } else {
    if (what < 0.3) delete holder[key];
    else if (what < 0.45) holder[['bogus', 'bound', 'type', 'data', 'fixed', 'inits'][Math.floor(r() * 6)]!] = REPLACEMENTS[Math.floor(r() * REPLACEMENTS.length)];
    else holder[key] = REPLACEMENTS[Math.floor(r() * REPLACEMENTS.length)];
  }
  return copy;
}

test('workspace shape check: accepts every reference workspace, loading gives what zod gives', () => {
  assert.ok(refs.length >= 17);
  for (const { name, ws } of refs) {
    assert.equal(conformsToWorkspaceSchema(ws), true, name);
    const zod = workspaceSchema.safeParse(ws);
    assert.ok(zod.success, name);
    assert.deepEqual(loadWorkspace(ws, name), zod.data, name);
  }
});

test('workspace shape check: never accepts what the zod schema refuses (seeded damage)', () => {
  const r = rng(18);
  let refused = 0;
  let accepted = 0;
  for (const { name, ws } of refs.filter((x) => !x.name.startsWith('sbottom'))) {
    for (let trial = 0; trial < 300; trial++) {
      const bad = damage(ws, r);
      const zod = workspaceSchema.safeParse(bad);
      const mine = conformsToWorkspaceSchema(bad);
      if (mine) {
        assert.ok(zod.success, `${name} trial ${trial}: accepted what zod refuses: ${JSON.stringify(zod.error?.issues[0])}`);
        assert.deepEqual(structuredClone(bad), zod.data);
        accepted++;
      } else if (!zod.success) refused++;
    }
  }
  // the damage must mostly be real, and some of it harmless (an extra normsys data key, a changed number)
  assert.ok(refused > 2000, `${refused} refused`);
  assert.ok(accepted > 100, `${accepted} accepted`);
});

test('a workspace the schema refuses is worded by the schema, as before', () => {
  const ws = structuredClone(refs[0]!.ws) as { channels: Array<{ samples: Array<{ modifiers: Array<Record<string, unknown>> }> }> };
  ws.channels[0]!.samples[0]!.modifiers[0]!.bound = 1;
  assert.throws(() => loadWorkspace(ws, 'ws.json'), /^UserError: ws\.json: channels\[0\]\.samples\[0\]\.modifiers\[0\]: unknown key 'bound'/);
});

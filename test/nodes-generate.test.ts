// The generate node on a re-run: a sample's XSection / SumWeights are read from the file once per
// file version (path, size, mtime) and then come from the node's memo, so a no-change run opens no
// ROOT file; a changed file is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import generate from '../nodes/generate.ts';
import type { FileSet, NodeContext } from '../src/engine/node-kind.ts';

/** A NodeContext whose memo is a Map (the engine keeps it in the store under the node's key). */
function context(cacheDir: string, memo: Map<string, unknown>, reads: { n: number }): NodeContext {
  return {
    graph: 'g', node: 'inputs', signal: new AbortController().signal, log: () => {}, warn: () => {},
    progress: () => {}, workers: 0, cacheDir,
    memo: async <T>(key: unknown, compute: () => Promise<T> | T): Promise<T> => {
      const k = JSON.stringify(key);
      if (memo.has(k)) return memo.get(k) as T;
      reads.n++;
      const v = await compute();
      memo.set(k, v);
      return v;
    },
    // the node's tasks run here, one after another (the engine spreads them over the pool)
    parallel: (async (task: string, items: readonly unknown[]) => {
      const run = generate.tasks?.[task] as ((item: unknown) => unknown) | undefined;
      if (!run) throw new Error(`no task '${task}'`);
      const out: unknown[] = [];
      for (const item of items) out.push(await run(item));
      return out;
    }) as NodeContext['parallel'],
  };
}

test('generate: sample metadata read once per file version, from the memo on a re-run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-generate-'));
  try {
    const params = generate.params.parse({ kind: 'atlas4lep', samples: { ggH: { process: 'ggH', events: 300, seed: 3 } } });
    const written = (await generate.run([], params, context(dir, new Map(), { n: 0 }))) as FileSet;
    // whole seconds, so that the test can put the same mtime back after rewriting the file
    const path = written.files[0]!.path;
    const mtime = Math.floor(statSync(path).mtimeMs / 1000) - 10;
    utimesSync(path, mtime, mtime);
    const memo = new Map<string, unknown>();
    const reads = { n: 0 };
    const first = (await generate.run([], params, context(dir, memo, reads))) as FileSet;
    const [file] = first.files;
    assert.ok(file && file.xsec! > 0 && file.sumw! > 0, 'the file\'s own XSection and SumWeights');
    assert.equal(reads.n, 1);

    // Same size and mtime but unreadable bytes: only the memo can give the metadata now.
    const good = readFileSync(path);
    writeFileSync(path, Buffer.alloc(good.length, 0x55));
    utimesSync(path, mtime, mtime);
    const again = (await generate.run([], params, context(dir, memo, reads))) as FileSet;
    assert.equal(reads.n, 1, 'no second read of an unchanged file');
    assert.deepEqual(again.files, first.files);

    // A new version of the file (another mtime) is read again, and gives the same values.
    writeFileSync(path, good);
    utimesSync(path, mtime + 5, mtime + 5);
    const third = (await generate.run([], params, context(dir, memo, reads))) as FileSet;
    assert.equal(reads.n, 2);
    assert.equal(third.files[0]!.xsec, file.xsec);
    assert.equal(third.files[0]!.sumw, file.sumw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A TTree whose metadata does not stream (one byte of uproot-HZZ-zlib.root's TTree record changed,
// as found by mutating the file) used to read as a tree of NaN entries and no branches, exit 0. It
// is an error naming the file and the tree, from the reader and from the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';

const SRC = join(import.meta.dirname, '..', '..', 'shared', 'data', 'root', 'uproot-HZZ-zlib.root');
const CLI = join(import.meta.dirname, '..', 'cli.ts');

test('unreadable TTree metadata is an error naming file and tree, not an empty tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-rootmeta-'));
  try {
    const bytes = readFileSync(SRC);
    assert.equal(bytes[219248], 0x50, 'the reference file is the one the mutant was made from');
    bytes[219248] = 0x8e;
    const bad = join(dir, 'hzz-mutant.root');
    writeFileSync(bad, bytes);

    const f = await openRootFile(bad);
    try {
      await assert.rejects(f.tree('events'), (err: Error) => err.name === 'UserError' && err.message.includes(bad) && /tree 'events'.*TTree metadata is unreadable/.test(err.message));
    } finally {
      await f.close();
    }
    for (const args of [['root', 'dump', bad, '--json'], ['root', 'ls', bad]]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /NaN|"entries":null/);
      assert.match(r.stderr, /^flow: .*hzz-mutant\.root: tree 'events': the TTree metadata is unreadable or implausible \(no branch list\); the file is corrupt\n$/);
    }
    // the unmutated file still reads
    const good = await openRootFile(SRC);
    assert.equal((await good.tree('events')).entries, 2421);
    await good.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

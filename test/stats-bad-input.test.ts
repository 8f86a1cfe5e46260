// Bad workspaces and bad input files through the real CLI: what pyhf's 1.0.0 JSON schema rejects is
// rejected (strict keys, required version), values no likelihood can use are rejected with the JSON
// path, inputs that are not regular files or are too large are refused before they are read, and
// every message is one line naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', 'cli.ts');

function flow(args: string[], env: Record<string, string> = {}): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, err: r.stderr };
}

/** A valid two-bin workspace (pyhf accepts it); `edit` damages a copy. */
function workspace(edit: (ws: any) => void = () => {}): string {
  const ws = {
    version: '1.0.0',
    channels: [{ name: 'SR', samples: [
      { name: 'signal', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: [50, 60], modifiers: [
        { name: 'bkg_norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
        { name: 'stat', type: 'staterror', data: [3, 4] },
      ] },
    ] }],
    observations: [{ name: 'SR', data: [55, 70] }],
    measurements: [{ name: 'meas', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, 10]], inits: [1] }] } }],
  };
  edit(ws);
  return JSON.stringify(ws);
}

const cases: Array<[string, (ws: any) => void, RegExp]> = [
  ['missing version', (ws) => delete ws.version, /: version: missing/],
  ['wrong version', (ws) => (ws.version = '1.0.1'), /: version: expected "1\.0\.0"/],
  ['extra top-level key', (ws) => (ws.extra = 1), /: \(top level\): unknown key 'extra'/],
  ['typo bound for bounds', (ws) => { ws.measurements[0].config.parameters[0].bound = [[0, 5]]; }, /measurements\[0\]\.config\.parameters\[0\]: unknown key 'bound'/],
  ['extra key on a modifier', (ws) => (ws.channels[0].samples[0].modifiers[0].note = 'x'), /channels\[0\]\.samples\[0\]\.modifiers\[0\]: unknown key 'note'/],
  ['empty sample data', (ws) => { ws.channels[0].samples[0].data = []; }, /channels\[0\]\.samples\[0\]\.data/],
  ['inverted bounds', (ws) => { ws.measurements[0].config.parameters[0].bounds = [[5, 1]]; }, /measurements\[0\]\.config\.parameters\[0\]\.bounds\[0\]: inverted bounds \[5, 1\]/],
  ['zero-width bounds', (ws) => { ws.measurements[0].config.parameters[0].bounds = [[2, 2]]; }, /bounds\[0\]: zero-width bounds \[2, 2\]/],
  ['zero sigma', (ws) => ws.measurements[0].config.parameters.push({ name: 'bkg_norm', sigmas: [0] }), /parameters\[1\]\.sigmas\[0\]: sigma of parameter 'bkg_norm' must be > 0, got 0/],
  ['negative normsys factor', (ws) => { ws.channels[0].samples[1].modifiers[0].data.lo = -0.9; }, /channels\[0\]\.samples\[1\]\.modifiers\[0\]\.data\.lo: normsys factor of 'bkg_norm' must be > 0, got -0\.9/],
  ['negative expected yield', (ws) => { ws.channels[0].samples[1].data = [-80, 60]; }, /bin 0 of channel 'SR' is -75 < 0 \(the Poisson likelihood is NaN\)/],
  ['negative observation', (ws) => { ws.observations[0].data = [-1, 70]; }, /observations\[0\]\.data\[0\]: negative observed count -1/],
];

test('workspaces are validated like pyhf validates them, then for meaning: one line with file and JSON path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-badws-'));
  try {
    const good = join(dir, 'good.json');
    writeFileSync(good, workspace());
    const ok = flow(['fit', good, '--json']);
    assert.equal(ok.code, 0, ok.err);
    for (const [name, edit, want] of cases) {
      const file = join(dir, `${name.replaceAll(' ', '-')}.json`);
      writeFileSync(file, workspace(edit));
      const r = flow(['fit', file]);
      assert.equal(r.code, 2, `${name}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, `${name}: ${r.err}`);
      assert.ok(r.err.startsWith(`flow: ${file}: `), `${name} does not name the file: ${r.err}`);
      assert.match(r.err, want, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inputs that are not regular files, or too large, are refused up front with the file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-badfile-'));
  try {
    const fifo = join(dir, 'ws.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    const expect: Array<[string, RegExp]> = [
      [fifo, /it is a FIFO, not a regular file/],
      ['/dev/zero', /it is a character device, not a regular file/],
      [folder, /it is a directory, not a regular file/],
    ];
    for (const [file, want] of expect) {
      for (const cmd of ['fit', 'inspect']) {
        const r = flow([cmd, file]);
        assert.equal(r.code, 2, `${cmd} ${file}: ${r.err}`);
        assert.match(r.err, new RegExp(`^flow: cannot read workspace '${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}': ${want.source}`));
      }
    }
    const card = flow(['workspace', 'datacard', fifo]);
    assert.match(card.err, /cannot read datacard '.*ws\.fifo': it is a FIFO/);
    const good = join(dir, 'good.json');
    writeFileSync(good, workspace());
    const big = flow(['inspect', good], { FLOW_MAX_INPUT_BYTES: '100' });
    assert.equal(big.code, 2);
    assert.match(big.err, /cannot read workspace '.*good\.json': \d+ bytes is over the 100-byte limit for input files \(FLOW_MAX_INPUT_BYTES\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 300k-bin channel gives one line naming the file, not a RangeError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-bigws-'));
  try {
    const n = 300_000;
    const file = join(dir, 'big.json');
    writeFileSync(file, workspace((ws) => {
      ws.channels[0].samples = [{ name: 's', data: new Array(n).fill(5), modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'stat', type: 'staterror', data: new Array(n).fill(1) }] }];
      ws.observations[0].data = new Array(n).fill(5);
    }));
    for (const cmd of ['fit', 'limit']) {
      const r = flow([cmd, file]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, new RegExp(`^flow: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the model has 300001 free parameters`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

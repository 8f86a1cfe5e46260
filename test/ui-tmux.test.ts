// The dashboard on a real terminal: the demo runs inside a private tmux server and the screen is
// read back with capture-pane. Skips when tmux is not installed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const demo = fileURLToPath(new URL('../src/ui/demo.ts', import.meta.url));

test('ink dashboard draws live and leaves the summary on a real terminal (tmux)', { skip: hasTmux ? false : 'tmux not installed' }, async () => {
  const socket = `hepflow-ui-test-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  // A clean environment: with CI set, Ink would only print the last frame.
  const command = `env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color ${process.execPath} ${demo} ink --chunks 40 --cached 8; sleep 60`;
  tmux('new-session', '-d', '-x', '100', '-y', '32', command);
  try {
    const screens: string[] = [];
    const deadline = Date.now() + 30_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = tmux('capture-pane', '-p');
      screens.push(screen);
      if (screen.includes('run finished')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(screen, /run finished/, `no summary on screen:\n${screen}`);
    const live = screens.find((s) => /ttbar-skim .*█.* \d+\/40/.test(s));
    assert.ok(live, `never saw a progress bar; screens:\n${screens.slice(0, 3).join('\n---\n')}`);
    assert.match(live, /hepflow agc-ttbar/);
    // The final frame: every node finished, the header, the table and the summary together.
    assert.match(screen, /hepflow agc-ttbar/);
    for (const node of ['fileset', 'ttbar-skim', 'histograms', 'merged', 'workspace', 'fit', 'limit', 'plots']) assert.match(screen, new RegExp(`[●✔] ${node} `));
    assert.match(screen, /40\/40/);
    assert.match(screen, /1 file skipped/);
    // Redrawn in place: the header appears once, not once per frame.
    assert.equal(screen.split('\n').filter((l) => l.includes('hepflow agc-ttbar')).length, 1);
  } finally {
    tmux('kill-server');
  }
});

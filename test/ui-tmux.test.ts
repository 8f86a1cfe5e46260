// The dashboard on a real terminal: the demo runs inside a private tmux server and the screen is
// read back with capture-pane. Skips when tmux is not installed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { join } from 'node:path';
import { CLI, flow, ROOT, tempDir } from './engine/harness.ts';

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

// The final table was printed twice in about one interactive run in three (Ink's <Static> drawn
// again by the render flushed at exit). Real re-runs of the H->ZZ* graph (small samples, all
// cached: where it was seen; the toy graph and the demo did not show it) at two terminal sizes,
// counted in the scrollback.
test('the final table is printed exactly once (tmux, 160x45 and 80x24, several runs)', { skip: hasTmux ? false : 'tmux not installed', timeout: 240_000 }, async () => {
  const project = tempDir('ui-once');
  const args = ['run', join(ROOT, 'graphs/hzz.ts'), '--set', 'events=5000', '--cache-dir', 'cache', '--out', 'out'];
  const first = await flow([...args, '--ui', 'plain'], project);
  assert.equal(first.code, 0, first.stderr);
  const counts: string[] = [];
  for (const [x, y] of [[160, 45], [80, 24]] as const) {
    for (let run = 0; run < 5; run++) {
      // a server per run: a new session right after kill-server on the same socket can fail
      const socket = `hepflow-ui-once-${process.pid}-${x}-${run}`;
      const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      // --ui ink: without it a run this short prints the plain lines (the dashboard waits 0.4 s)
      const flowRun = [process.execPath, CLI, ...args, '--ui', 'ink'].join(' ');
      const command = `cd ${project} && env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color ${flowRun}; echo RUN-EXITED; sleep 60`;
      tmux('new-session', '-d', '-x', String(x), '-y', String(y), command);
      let screen = '';
      try {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline && !screen.includes('RUN-EXITED')) {
          await new Promise((r) => setTimeout(r, 100));
          screen = tmux('capture-pane', '-p', '-S', '-1000');
        }
      } finally {
        tmux('kill-server');
      }
      assert.match(screen, /RUN-EXITED/, `the run did not finish at ${x}x${y}`);
      const headers = screen.split('\n').filter((l) => l.includes('hepflow hzz')).length;
      const summaries = screen.split('\n').filter((l) => /run (finished|failed)/.test(l)).length;
      counts.push(`${x}x${y}#${run}: ${headers} header(s), ${summaries} summary line(s)`);
    }
  }
  assert.deepEqual(counts.filter((c) => !c.endsWith(': 1 header(s), 1 summary line(s)')), [], counts.join('\n'));
});

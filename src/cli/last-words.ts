// A run's last line (`run-done` on `--ui json`, the INTERRUPTED verdict otherwise) when the process
// ends before the run could write it:
// - SIGTERM while node code loops in the main thread. V8 can stop such a loop on SIGINT only
//   (src/engine/interrupt.ts), and a JS listener never runs while the loop spins, so SIGTERM keeps
//   its default effect there (exit 143) and no JS runs after it. Before each such call the line is
//   written to a file, and a sentinel `sh` whose stdin is a pipe from this process prints it when
//   the pipe closes without the run having disarmed it (by killing the sentinel). Killed with -9
//   inside node code, the run gets the same line.
// - `process.exit()` in node code after an await, a second Ctrl-C: the 'exit' listener prints the
//   line itself, and a run that had not finished never exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface LastWords {
  /** Before node code blocks the main thread: what to print should the process end inside it. */
  arm(): void;
  /** The run wrote its own end. */
  disarm(): void;
}

const SENTINEL = 'cat >/dev/null; [ -f "$1" ] && cat "$1" && rm -f "$1"';

/** `render()` is the line (without its newline) for the run as it stands. */
export function lastWords(render: () => string): LastWords {
  const file = join(tmpdir(), `hepflow-last-words-${process.pid}-${randomBytes(4).toString('hex')}`);
  let sentinel: ChildProcess | undefined;
  let done = false;
  const stop = (): void => {
    sentinel?.kill('SIGKILL');
    sentinel = undefined;
    rmSync(file, { force: true });
  };
  const onExit = (): void => {
    if (done) return stop();
    done = true;
    stop();
    try {
      writeSync(1, `${render()}\n`);
    } catch {
      // stdout closed: the exit code still tells
    }
    if (!process.exitCode) process.exitCode = 1;
  };
  process.on('exit', onExit);
  return {
    arm() {
      if (done) return;
      writeFileSync(file, `${render()}\n`);
      if (sentinel) return;
      sentinel = spawn('/bin/sh', ['-c', SENTINEL, 'sh', file], { stdio: ['pipe', 'inherit', 'ignore'] });
      sentinel.on('error', () => {}); // no /bin/sh: only the signal case goes without its line
      sentinel.unref();
      (sentinel.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    },
    disarm() {
      done = true;
      stop();
      process.off('exit', onExit);
    },
  };
}

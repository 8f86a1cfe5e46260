// The run UIs: three subscribers of the engine's event stream. `flow run` picks one with --ui,
// defaulting to defaultUiMode(process.stdout, process.env).
import type { Writable } from 'node:stream';
import type { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';
import { holdUntilSubscribed } from './hold.ts';
import { attachJson } from './json.ts';
import { attachPlain } from './plain.ts';

export type UiMode = 'ink' | 'plain' | 'json';
export const UI_MODES: readonly UiMode[] = ['ink', 'plain', 'json'];

export interface UiOptions {
  stdout?: NodeJS.WriteStream | Writable;
  stderr?: NodeJS.WriteStream | Writable;
  /** ANSI colour. Plain mode default: stdout is a TTY and NO_COLOR is not set. The dashboard is
   *  coloured unless this is false (or NO_COLOR / FORCE_COLOR=0 is set). */
  color?: boolean;
}

/** Resolves once the final output (summary, last NDJSON line) has been written. */
export function attachUi(events$: Observable<RunEvent>, mode: UiMode, opts: UiOptions = {}): { done: Promise<void> } {
  const stdout = opts.stdout ?? process.stdout;
  switch (mode) {
    case 'json':
      return attachJson(events$, stdout);
    case 'plain': {
      const color = opts.color ?? ((stdout as { isTTY?: boolean }).isTTY === true && !process.env['NO_COLOR']);
      return attachPlain(events$, stdout, { color });
    }
    case 'ink':
      // Ink colours through chalk, which reads FORCE_COLOR when it is first loaded.
      if (opts.color === false) process.env['FORCE_COLOR'] ??= '0';
      return attachInk(events$, stdout as NodeJS.WriteStream, (opts.stderr ?? process.stderr) as NodeJS.WriteStream);
  }
}

/** Ink and React load only when the dashboard is used (plain and json runs start faster). */
function attachInk(events$: Observable<RunEvent>, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): { done: Promise<void> } {
  const held$ = holdUntilSubscribed(events$);
  // React's development build costs about twice the CPU per frame; a CLI wants the production one.
  process.env['NODE_ENV'] ??= 'production';
  const done = import('./dashboard.ts').then(
    (m) => m.attachDashboard(held$, { stdout, stderr }).done,
    (err: unknown) => {
      // A broken Ink/React install must not cost the run its progress output.
      stderr.write(`flow: dashboard unavailable (${err instanceof Error ? err.message : String(err)}); using plain output\n`);
      return attachPlain(held$, stdout).done;
    },
  );
  return { done };
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** The dashboard on an interactive terminal; plain lines when piped, in CI or on a dumb terminal. */
export function defaultUiMode(stdout: { isTTY?: boolean }, env: Record<string, string | undefined>): 'ink' | 'plain' {
  if (stdout.isTTY !== true) return 'plain';
  if (truthy(env['CI']) || env['TERM'] === 'dumb') return 'plain';
  return 'ink';
}

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
  /** ink: start the dashboard only once the run has lasted this long (ms); a run over sooner prints
   *  the plain lines instead. Loading Ink and React costs ~0.5 s of CPU, more than a no-change
   *  re-run itself, and a dashboard shown for a moment is only a flash. Default 0: at once. */
  inkAfterMs?: number;
}

/** Resolves once the final output (summary, last NDJSON line) has been written. */
export function attachUi(events$: Observable<RunEvent>, mode: UiMode, opts: UiOptions = {}): { done: Promise<void> } {
  const stdout = opts.stdout ?? process.stdout;
  switch (mode) {
    case 'json':
      return attachJson(events$, stdout);
    case 'plain':
      return attachPlain(events$, stdout, { color: plainColor(stdout, opts) });
    case 'ink': {
      // Ink colours through chalk, which reads FORCE_COLOR when it is first loaded.
      if (opts.color === false) process.env['FORCE_COLOR'] ??= '0';
      const held$ = holdUntilSubscribed(events$);
      const ttyOut = stdout as NodeJS.WriteStream;
      const ttyErr = (opts.stderr ?? process.stderr) as NodeJS.WriteStream;
      const afterMs = opts.inkAfterMs ?? 0;
      if (afterMs <= 0) return { done: startDashboard(held$, ttyOut, ttyErr) };
      return { done: dashboardOnceLong(events$, afterMs, () => startDashboard(held$, ttyOut, ttyErr), () => attachPlain(held$, stdout, { color: plainColor(stdout, opts) }).done) };
    }
  }
}

function plainColor(stdout: NodeJS.WriteStream | Writable, opts: UiOptions): boolean {
  return opts.color ?? ((stdout as { isTTY?: boolean }).isTTY === true && !process.env['NO_COLOR']);
}

/** The dashboard if the run is still going after `afterMs`, else (it ended sooner) the plain view;
 *  either replays the held stream from its first event (`events$` is only watched for its end). */
function dashboardOnceLong(events$: Observable<RunEvent>, afterMs: number, dashboard: () => Promise<void>, plain: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let chosen = false;
    const choose = (view: () => Promise<void>): void => {
      if (chosen) return;
      chosen = true;
      clearTimeout(timer);
      watch?.unsubscribe();
      resolve(view());
    };
    const timer = setTimeout(() => choose(dashboard), afterMs);
    let watch: { unsubscribe(): void } | undefined;
    watch = events$.subscribe({ complete: () => choose(plain), error: () => choose(plain) });
    if (chosen) watch.unsubscribe();
  });
}

/** Ink and React load only when the dashboard is used (plain and json runs start faster). */
function startDashboard(held$: Observable<RunEvent>, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): Promise<void> {
  // React's development build costs about twice the CPU per frame; a CLI wants the production one.
  process.env['NODE_ENV'] ??= 'production';
  return import('./dashboard.ts').then(
    (m) => m.attachDashboard(held$, { stdout, stderr }).done,
    (err: unknown) => {
      // A broken Ink/React install must not cost the run its progress output.
      stderr.write(`flow: dashboard unavailable (${err instanceof Error ? err.message : String(err)}); using plain output\n`);
      return attachPlain(held$, stdout).done;
    },
  );
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

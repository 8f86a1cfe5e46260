// `--ui json`: NDJSON, one event per line exactly as published (DESIGN section 6). The last line
// is always run-done: the engine's, with per-node chunk figures filled in where it left them out,
// or one made up from the stream when the run ended without a report.
import type { Writable } from 'node:stream';
import type { Observable } from 'rxjs';
import type { RunEvent } from '../engine/events.ts';
import { followRun } from './follow.ts';
import { LineWriter } from './line-writer.ts';
import { completeRunDone } from './run-report.ts';

export function attachJson(events$: Observable<RunEvent>, out: Writable): { done: Promise<void> } {
  const writer = new LineWriter(out);
  const { done } = followRun(events$, {
    event(event, _next, prev) {
      writer.line(JSON.stringify(event.type === 'run-done' ? completeRunDone(event, prev) : event));
    },
    async end({ runDone, synthesized }) {
      if (synthesized) writer.line(JSON.stringify(runDone));
      await writer.flush();
    },
  });
  return { done };
}

// The scale-out workers line (dashboard and plain output): hosts, processes, busy/idle, per-worker
// chunks and events, and the rate of the events they computed.
import type { RunEvent } from '../engine/events.ts';
import { formatCount, formatRate } from './format.ts';
import type { RunState } from './state.ts';

export function workersLine(state: RunState, now: number): string | undefined {
  const all = Object.values(state.remoteWorkers);
  if (all.length === 0) return undefined;
  const serving = all.filter((w) => w.state === 'start' || w.state === 'heartbeat');
  const hosts = new Set(serving.map((w) => w.host)).size;
  const busy = serving.reduce((s, w) => s + Math.min(w.busy, w.slots), 0);
  const slots = serving.reduce((s, w) => s + w.slots, 0);
  const events = all.reduce((s, w) => s + w.events, 0);
  const elapsed = state.startT === undefined ? 0 : (now - state.startT) / 1000;
  const bits = [`workers: ${serving.length} process${serving.length === 1 ? '' : 'es'} on ${hosts} host${hosts === 1 ? '' : 's'}`, `${busy} busy, ${slots - busy} idle`];
  const refused = all.filter((w) => w.state === 'refused').length;
  if (refused) bits.push(`${refused} refused`);
  if (events > 0 && elapsed > 0) bits.push(formatRate(events / elapsed));
  bits.push(all.map((w) => `${w.id} ${w.chunks} chunks ${formatCount(w.events)} ev`).join(', '));
  return bits.join('  ·  ');
}

/** run-done `workers`, as one line of the final summary. */
export function workersSummary(done: Extract<RunEvent, { type: 'run-done' }>): string | undefined {
  const ws = Object.entries(done.workers ?? {});
  if (ws.length === 0) return undefined;
  return `workers: ${ws.map(([id, w]) => `${id} (${w.host}) ${w.chunks} chunks ${formatCount(w.events)} events ${w.seconds.toFixed(1)}s`).join(', ')}`;
}

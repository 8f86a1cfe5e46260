// Worker lifecycle on the coordinator's event stream: workers publish custom BullMQ events
// ('hf-worker') on the run's queue event stream; the coordinator turns them into `worker` RunEvents.
import type { RunEvent } from '../engine/events.ts';

export type WorkerState = 'start' | 'stop' | 'heartbeat' | 'refused' | 'failed';
export type WorkerEvent = Extract<RunEvent, { type: 'worker' }>;

/** Per worker, in `run-done`: what it did for this run. */
export interface WorkerStats {
  host: string;
  chunks: number;
  events: number;
  seconds: number;
}

export const WORKER_EVENT = 'hf-worker';

export function workerEventFields(e: Omit<WorkerEvent, 'type' | 't'>): { eventName: string; data: string } {
  return { eventName: WORKER_EVENT, data: JSON.stringify(e) };
}

export function workerEventFrom(args: Record<string, string>): WorkerEvent | undefined {
  try {
    const e = JSON.parse(args.data ?? '') as Omit<WorkerEvent, 'type' | 't'>;
    if (typeof e.id !== 'string' || typeof e.state !== 'string') return undefined;
    return { type: 'worker', ...e, t: Date.now() } as WorkerEvent;
  } catch {
    return undefined;
  }
}

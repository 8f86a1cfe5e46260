// A few worker threads computing CLs points of one model in parallel (points are independent once
// each worker has done the POI-independent fits). Results are the same numbers as in the main
// thread: same code, same inputs.
import { Worker } from 'node:worker_threads';
import type { Workspace } from '../stats/workspace.ts';
import type { ClsPoint } from './artifacts.ts';

interface Job { mu: number; resolve: (p: ClsPoint) => void; reject: (e: Error) => void }

export class ClsPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(size: number, workspace: Workspace, measurement: string | undefined) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./cls-worker.ts', import.meta.url), { workerData: { workspace, measurement } });
      w.on('message', (p: ClsPoint) => {
        const job = this.busy.get(w);
        this.busy.delete(w);
        this.idle.push(w);
        job?.resolve(p);
        this.pump();
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => { if (!this.closed) this.fail(new Error(`CLs worker exited with code ${code}`)); });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  compute(mu: number): Promise<ClsPoint> {
    if (this.closed) return Promise.reject(new Error('CLs pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ mu, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage(job.mu);
    }
  }

  private fail(e: Error): void {
    for (const job of [...this.busy.values(), ...this.queue]) job.reject(e);
    this.busy.clear();
    this.queue.length = 0;
    void this.close();
  }

  /** Stop every worker; pending points are rejected. */
  async close(reason = 'CLs scan stopped'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of [...this.busy.values(), ...this.queue]) job.reject(new Error(reason));
    this.busy.clear();
    this.queue.length = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

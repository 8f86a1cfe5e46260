// QA regression: the dashboard's final summary does not claim events were read when every chunk came
// from the cache.
import './helpers/interactive-env.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import React from 'react';
import { Subject } from 'rxjs';
import type { RunEvent } from '../src/engine/events.ts';
import { LiveDashboard } from '../src/ui/dashboard.ts';
import { holdUntilSubscribed } from '../src/ui/hold.ts';

async function finalFrame(get: () => string | undefined): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const f = get() ?? '';
    if (f.includes('run finished')) return f;
    if (Date.now() > deadline) throw new Error(`no final summary; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function run(cachedChunks: number): RunEvent[] {
  const t = 1000;
  const fromCache = cachedChunks === 8;
  return [
    { type: 'run-start', graph: 'hzz', file: 'graphs/hzz.ts', nodes: ['inputs', 'four-leptons'], workers: 0, cacheDir: '.flow-cache', t },
    { type: 'node-cached', node: 'inputs', kind: 'generate', t },
    fromCache
      ? { type: 'node-cached', node: 'four-leptons', kind: 'skim', t }
      : { type: 'node-start', node: 'four-leptons', kind: 'skim', reason: 'params', chunks: 8, cachedChunks, t },
    {
      type: 'run-done', ok: true, seconds: 0.2, t: t + 200,
      nodes: {
        inputs: { status: 'cached', reason: 'unchanged', seconds: 0 },
        'four-leptons': { status: fromCache ? 'cached' : 'computed', reason: fromCache ? 'unchanged' : 'params', seconds: 0, chunks: 8, events: 320_000, cached_chunks: cachedChunks },
      },
    },
  ] as RunEvent[];
}

for (const cached of [8, 2]) {
  test(`final summary with ${cached}/8 chunks from the cache`, async () => {
    const subject = new Subject<RunEvent>();
    const app = render(React.createElement(LiveDashboard, { events$: holdUntilSubscribed(subject), fps: 50 }));
    for (const e of run(cached)) subject.next(e);
    subject.complete();
    const final = await finalFrame(app.lastFrame);
    assert.match(final, /main thread/);
    assert.match(final, /320k events/);
    if (cached === 8) assert.doesNotMatch(final, /events read/);
    else assert.match(final, /events read/);
    app.unmount();
  });
}

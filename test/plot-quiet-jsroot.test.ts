// jsroot's "Canvas c drawing took 1.59s" (printed when a drawing is slow, e.g. on a loaded machine)
// must not reach stdout from a worker: it broke `--ui json` lines and the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropSlowDrawingLog } from '../src/plot/quiet-jsroot.ts';

test('the slow-drawing message of jsroot is dropped, every other console.log passes', () => {
  const seen: unknown[][] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void seen.push(args);
  try {
    dropSlowDrawingLog();
    console.log('Canvas c drawing took 1.59s');
    console.log('Canvas drawing took 12.00s');
    console.log('hello', 2);
    console.log('Canvas c drawing took 1.59s, and more');
  } finally {
    console.log = original;
  }
  assert.deepEqual(seen, [['hello', 2], ['Canvas c drawing took 1.59s, and more']]);
});

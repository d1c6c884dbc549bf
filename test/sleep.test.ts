// sleep (minimum 0.001 s, abortable) and yieldNow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, yieldNow } from '../lib/index.js';

test('sleep waits at least the given seconds', async () => {
  const t0 = performance.now();
  await sleep(0.03);
  assert.ok(performance.now() - t0 >= 28, 'slept too little');
});

test('sleep(0) still waits the minimum of 1 ms', async () => {
  // Node measures timers from the loop's cached clock, which may lag by up to
  // about 1 ms, so the observable lower bound is a little under the minimum.
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await sleep(0);
  assert.ok(performance.now() - t0 >= 4, 'five minimum sleeps took less than 4 ms');
});

test('sleep is aborted by a signal with its reason', async () => {
  const ac = new AbortController();
  const p = sleep(10, { signal: ac.signal });
  ac.abort(new Error('woken early'));
  await assert.rejects(p, /woken early/);
  await assert.rejects(sleep(1, { signal: AbortSignal.abort(new Error('already')) }), /already/);
});

test('bad durations are TypeError / RangeError naming seconds', async () => {
  await assert.rejects(sleep(-1), (e: unknown) => e instanceof RangeError && /sleep: seconds/.test(e.message));
  await assert.rejects(sleep(Infinity), RangeError);
  await assert.rejects(sleep('1' as unknown as number), (e: unknown) => e instanceof TypeError && /seconds must be a number/.test(e.message));
});

test('yieldNow lets other callbacks (immediates, I/O) run before resuming', async () => {
  const order: string[] = [];
  setImmediate(() => order.push('immediate'));
  queueMicrotask(() => order.push('microtask'));
  await yieldNow();
  order.push('resumed');
  assert.deepEqual(order, ['microtask', 'immediate', 'resumed']);
});

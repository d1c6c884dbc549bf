// timedwait: 'ok' | 'timed_out', async callbacks, throwing callbacks, pollint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timedwait } from '../lib/index.js';

test("resolves 'ok' at once when the test already holds", async () => {
  let calls = 0;
  assert.equal(await timedwait(() => ++calls > 0, 1), 'ok');
  assert.equal(calls, 1);
});

test("resolves 'ok' when the test becomes true, polling every pollint", async () => {
  const t0 = performance.now();
  let calls = 0;
  const r = await timedwait(() => ++calls >= 4, 5, { pollint: 0.005 });
  assert.equal(r, 'ok');
  assert.equal(calls, 4);
  assert.ok(performance.now() - t0 < 2000);
});

test("resolves 'timed_out' after secs, having polled once more at the deadline", async () => {
  const t0 = performance.now();
  let calls = 0;
  const r = await timedwait(() => (calls++, false), 0.05, { pollint: 0.02 });
  const ms = performance.now() - t0;
  assert.equal(r, 'timed_out');
  assert.ok(ms >= 49, `returned too early: ${ms} ms`);
  // At least the first poll and the one at the deadline (more when the machine is not loaded).
  assert.ok(calls >= 2 && calls <= 6, `polled ${calls} times`);
});

test('the callback may return a Promise of a boolean', async () => {
  let n = 0;
  assert.equal(await timedwait(async () => ++n === 2, 2, { pollint: 0.005 }), 'ok');
  assert.equal(await timedwait(() => Promise.resolve(false), 0.01, { pollint: 0.005 }), 'timed_out');
});

test('a throwing or rejecting callback makes timedwait reject with that error', async () => {
  await assert.rejects(
    timedwait(() => {
      throw new Error('cb threw');
    }, 1),
    /cb threw/,
  );
  let n = 0;
  await assert.rejects(
    timedwait(async () => {
      if (++n === 2) throw new Error('cb rejected later');
      return false;
    }, 1, { pollint: 0.005 }),
    /cb rejected later/,
  );
});

test('bad arguments name the problem', async () => {
  await assert.rejects(timedwait('x' as unknown as () => boolean, 1), /timedwait: cb must be a function/);
  await assert.rejects(timedwait(() => true, -1), (e: unknown) => e instanceof RangeError && /secs/.test(e.message));
  await assert.rejects(timedwait(() => true, 1, { pollint: 0 }), (e: unknown) => e instanceof RangeError && /pollint/.test(e.message));
  await assert.rejects(timedwait(() => true, 1, { pollint: -2 }), /options\.pollint/);
});

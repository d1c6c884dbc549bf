// WaitQueue, the one waiting primitive: FIFO, counts, timeouts, aborts, reject-all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeoutError } from '../lib/index.js';
import { WaitQueue } from '../lib/tasks/index.js';

test('wakeOne wakes in FIFO order; wakeAll wakes only those present and counts them', async () => {
  const q = new WaitQueue<number>();
  const got: string[] = [];
  const a = q.wait().then((v) => got.push(`a${v}`));
  const b = q.wait().then((v) => got.push(`b${v}`));
  const c = q.wait().then((v) => got.push(`c${v}`));
  assert.equal(q.length, 3);
  assert.equal(q.wakeOne(1), true);
  assert.equal(q.wakeAll(2), 2);
  const d = q.wait().then((v) => got.push(`d${v}`));
  assert.equal(q.length, 1);
  await Promise.all([a, b, c]);
  assert.deepEqual(got, ['a1', 'b2', 'c2']);
  assert.equal(q.wakeOne(3), true);
  await d;
  assert.equal(q.wakeOne(4), false);
  assert.equal(q.wakeAll(4), 0);
});

test('payloads ride with waiters; shift hands back the first one', async () => {
  const q = new WaitQueue<void, string>('put');
  const p1 = q.wait(undefined, 'first');
  const p2 = q.wait(undefined, 'second');
  assert.equal(q.peek(), 'first');
  const w = q.shift()!;
  assert.equal(w.payload, 'first');
  w.resolve();
  await p1;
  assert.equal(q.peek(), 'second');
  q.rejectOne(new Error('no'));
  await assert.rejects(p2, /no/);
  assert.equal(q.shift(), undefined);
});

test('a timed-out waiter leaves the queue in place without disturbing the others', async () => {
  const q = new WaitQueue<string>('take');
  const order: string[] = [];
  const a = q.wait().then((v) => order.push(`a:${v}`));
  const timed = q.wait({ timeout: 0.01 });
  const c = q.wait().then((v) => order.push(`c:${v}`));
  const e = await timed.catch((x: unknown) => x);
  assert.ok(e instanceof TimeoutError);
  assert.equal((e as TimeoutError).timeout, 0.01);
  assert.match((e as Error).message, /^take timed out after 0.01 s$/);
  assert.equal(q.length, 2);
  q.wakeOne('1');
  q.wakeOne('2');
  await Promise.all([a, c]);
  assert.deepEqual(order, ['a:1', 'c:2']);
});

test('abort rejects with the signal reason; an already aborted signal or timeout 0 rejects at once', async () => {
  const q = new WaitQueue<void>();
  const ac = new AbortController();
  const p = q.wait({ signal: ac.signal });
  ac.abort(new Error('gone'));
  await assert.rejects(p, /gone/);
  assert.equal(q.length, 0);
  await assert.rejects(q.wait({ signal: AbortSignal.abort(new Error('before')) }), /before/);
  await assert.rejects(q.wait({ timeout: 0 }), TimeoutError);
  assert.equal(q.length, 0);
  // A woken waiter's timer and listener are gone: a later abort changes nothing.
  const ac2 = new AbortController();
  const woken = q.wait({ signal: ac2.signal, timeout: 0.01 });
  q.wakeAll();
  await woken;
  ac2.abort();
  await new Promise((r) => setTimeout(r, 20));
});

test('rejectAll rejects everyone present (close/error) and counts them', async () => {
  const q = new WaitQueue<number>();
  const ps = [q.wait(), q.wait(), q.wait()];
  const err = new Error('closed');
  assert.equal(q.rejectAll(err), 3);
  for (const p of ps) await assert.rejects(p, (e: unknown) => e === err);
  assert.equal(q.length, 0);
});

test('bad options reject with errors naming the option', async () => {
  const q = new WaitQueue<void>('lock');
  await assert.rejects(q.wait({ timeout: -0.5 }), (e: unknown) => e instanceof RangeError && /lock: options\.timeout must be >= 0/.test(e.message));
  await assert.rejects(q.wait({ timeout: 'soon' as unknown as number }), TypeError);
  await assert.rejects(q.wait({ signal: {} as AbortSignal }), /options\.signal must be an AbortSignal/);
  await assert.rejects(q.wait(7 as never), /options must be an object/);
});

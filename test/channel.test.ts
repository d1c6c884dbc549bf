// Channel: FIFO, blocking put when full and take when empty, fetch, isready,
// sizes 0 (rendezvous), Infinity and the default 32, try* forms, timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, TimeoutError, fetch, isready, put, schedule, take, wait, yieldNow } from '../lib/index.js';

test('default size is 32; values come out FIFO', async () => {
  const ch = new Channel<number>();
  assert.equal(ch.capacity, 32);
  for (let i = 0; i < 32; i++) assert.equal(ch.tryPut(i), true);
  assert.equal(ch.tryPut(99), false, 'full at 32');
  for (let i = 0; i < 32; i++) assert.equal(await take(ch), i);
  assert.equal(ch.length, 0);
});

test('put waits while full; the blocked putters go in FIFO order as takes free slots', async () => {
  const ch = new Channel<string>(1);
  const log: string[] = [];
  await put(ch, 'a');
  const pb = put(ch, 'b').then(() => log.push('put b done'));
  const pc = put(ch, 'c').then(() => log.push('put c done'));
  await yieldNow();
  assert.deepEqual(log, []);
  assert.equal(await take(ch), 'a');
  await pb;
  assert.deepEqual(log, ['put b done']);
  assert.equal(await take(ch), 'b');
  await pc;
  assert.equal(await take(ch), 'c');
  assert.deepEqual(log, ['put b done', 'put c done']);
});

test('take waits while empty; blocked takers are served in FIFO order', async () => {
  const ch = new Channel<number>(4);
  const got: string[] = [];
  const ts = ['t1', 't2', 't3'].map((n) => take(ch).then((v) => got.push(`${n}=${v}`)));
  await yieldNow();
  assert.equal(isready(ch), false);
  await put(ch, 1);
  await put(ch, 2);
  await put(ch, 3);
  await Promise.all(ts);
  assert.deepEqual(got, ['t1=1', 't2=2', 't3=3']);
});

test('fetch waits for a value and does not remove it; wait(ch) waits until ready', async () => {
  const ch = new Channel<string>(2);
  const f = fetch(ch);
  const w = wait(ch);
  await yieldNow();
  await put(ch, 'head');
  assert.equal(await f, 'head');
  await w;
  assert.equal(isready(ch), true);
  assert.equal(ch.length, 1);
  assert.equal(await fetch(ch), 'head');
  assert.equal(await take(ch), 'head');
  assert.equal(isready(ch), false);
});

test('size 0 is a rendezvous: put completes only when a take receives the value', async () => {
  const ch = new Channel<number>(0);
  assert.equal(ch.tryPut(1), false, 'no taker: an unbuffered tryPut cannot complete');
  let putDone = false;
  const p = put(ch, 7).then(() => (putDone = true));
  await yieldNow();
  await yieldNow();
  assert.equal(putDone, false);
  assert.equal(isready(ch), true, 'a blocked putter makes it ready');
  assert.equal(ch.length, 0);
  assert.equal(await fetch(ch), 7, 'fetch sees the pending value without completing the put');
  assert.equal(putDone, false);
  assert.equal(await take(ch), 7);
  await p;
  assert.equal(putDone, true);
  // A taker that waits first receives the next put directly.
  const t = take(ch);
  await yieldNow();
  assert.equal(ch.tryPut(8), true);
  assert.equal(await t, 8);
});

test('size 0 between tasks: put i completes only after take i was called', async () => {
  const ch = new Channel<number>(0);
  let takesCalled = 0;
  const checks: boolean[] = [];
  const got: number[] = [];
  const prod = schedule(async () => {
    for (let i = 0; i < 3; i++) {
      await ch.put(i);
      checks.push(takesCalled >= i + 1);
    }
  });
  const cons = schedule(async () => {
    for (let i = 0; i < 3; i++) {
      await yieldNow(); // a slow consumer: the producer must wait for it each time
      takesCalled++;
      got.push(await ch.take());
    }
  });
  await Promise.all([wait(prod), wait(cons)]);
  assert.deepEqual(checks, [true, true, true]);
  assert.deepEqual(got, [0, 1, 2]);
});

test('size Infinity never blocks a put', async () => {
  const ch = new Channel<number>(Infinity);
  for (let i = 0; i < 10_000; i++) await ch.put(i);
  assert.equal(ch.length, 10_000);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) sum += ch.tryTake() as number;
  assert.equal(sum, (10_000 * 9_999) / 2);
});

test('tryTake returns the given fallback when empty', () => {
  const ch = new Channel<number | undefined>(2);
  const EMPTY = Symbol('empty');
  assert.equal(ch.tryTake(EMPTY), EMPTY);
  ch.tryPut(undefined);
  assert.equal(ch.tryTake(EMPTY), undefined);
});

test('put, take and fetch accept a timeout and an AbortSignal; the timed-out op leaves no trace', async () => {
  const ch = new Channel<number>(1);
  await assert.rejects(take(ch, { timeout: 0.01 }), (e: unknown) => e instanceof TimeoutError && /take timed out/.test(e.message));
  await assert.rejects(fetch(ch, { timeout: 0 }), TimeoutError);
  await assert.rejects(wait(ch, { timeout: 0.01 }), TimeoutError);
  await ch.put(1);
  await assert.rejects(ch.put(2, { timeout: 0.01 }), TimeoutError);
  const ac = new AbortController();
  const aborted = ch.put(3, { signal: ac.signal });
  ac.abort(new Error('cancelled put'));
  await assert.rejects(aborted, /cancelled put/);
  // Neither 2 nor 3 entered the channel.
  assert.equal(await ch.take(), 1);
  assert.equal(ch.isready(), false);
  assert.equal(ch.tryTake(), undefined);
});

test('bad sizes are RangeError/TypeError naming the size', () => {
  assert.throws(() => new Channel(-1), (e: unknown) => e instanceof RangeError && /size must be a non-negative integer/.test(e.message));
  assert.throws(() => new Channel(1.5), RangeError);
  assert.throws(() => new Channel(NaN), TypeError);
  assert.throws(() => new Channel('3' as unknown as number), (e: unknown) => e instanceof TypeError && /size must be a number/.test(e.message));
});

test('bad wait options are reported even when the operation could complete at once', async () => {
  const ch = new Channel<number>(4);
  await assert.rejects(ch.put(1, { timeout: -1 }), (e: unknown) => e instanceof RangeError && /put: options\.timeout/.test(e.message));
  assert.equal(ch.length, 0, 'the rejected put stored nothing');
  await ch.put(1);
  await assert.rejects(ch.take({ signal: 'no' as unknown as AbortSignal }), /take: options\.signal must be an AbortSignal/);
  await assert.rejects(ch.fetch(5 as never), /fetch: options must be an object/);
  assert.equal(await ch.take(), 1);
});

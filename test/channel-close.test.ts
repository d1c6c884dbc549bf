// Channel close semantics: puts fail, buffered values drain, empty takes and
// fetches fail, blocked waiters wake with the error, for-await ends cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, InvalidStateException, close, fetch, put, schedule, take, wait, yieldNow } from '../lib/index.js';

const isClosed = (e: unknown): boolean => e instanceof InvalidStateException && e.state === 'closed' && /Channel is closed/.test(e.message);

test('put on a closed channel throws InvalidStateException (state closed)', async () => {
  const ch = new Channel<number>(4);
  close(ch);
  assert.equal(ch.closed, true);
  assert.equal(ch.isopen(), false);
  await assert.rejects(put(ch, 1), isClosed);
  assert.throws(() => ch.tryPut(1), isClosed);
});

test('buffered values still drain after close; then take and fetch throw a clear error', async () => {
  const ch = new Channel<string>(4);
  await ch.put('x');
  await ch.put('y');
  ch.close();
  assert.equal(await fetch(ch), 'x');
  assert.equal(await take(ch), 'x');
  assert.equal(await take(ch), 'y');
  await assert.rejects(take(ch), isClosed);
  await assert.rejects(fetch(ch), isClosed);
  await assert.rejects(wait(ch), isClosed);
  assert.throws(() => ch.tryTake(), isClosed);
});

test('waiters blocked at close wake with the error: takers, fetchers, waiters, putters', async () => {
  const empty = new Channel<number>(1);
  const results = await Promise.allSettled([
    take(empty),
    fetch(empty),
    wait(empty),
    (async () => {
      await yieldNow();
      empty.close();
    })(),
  ]);
  assert.equal(results.filter((r) => r.status === 'rejected' && isClosed(r.reason)).length, 3);

  const full = new Channel<number>(1);
  await full.put(1);
  const blockedPut = full.put(2);
  await yieldNow();
  full.close();
  await assert.rejects(blockedPut, isClosed);
  // The blocked value never entered; the buffered one still drains.
  assert.equal(await full.take(), 1);
  await assert.rejects(full.take(), isClosed);
});

test('an unbuffered channel closed with a putter blocked rejects that putter', async () => {
  const ch = new Channel<number>(0);
  const p = ch.put(5);
  await yieldNow();
  ch.close();
  await assert.rejects(p, isClosed);
  await assert.rejects(ch.take(), isClosed);
});

test('for await ends cleanly at close, after every buffered value', async () => {
  const ch = new Channel<number>(2);
  const producer = schedule(async () => {
    for (let i = 0; i < 5; i++) await ch.put(i);
    ch.close();
  });
  const got: number[] = [];
  for await (const v of ch) got.push(v);
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  await wait(producer);
  // A consumer blocked in for-await when close happens also ends cleanly.
  const idle = new Channel<number>();
  const loop = (async () => {
    const seen: number[] = [];
    for await (const v of idle) seen.push(v);
    return seen;
  })();
  await idle.put(9);
  await yieldNow();
  idle.close();
  assert.deepEqual(await loop, [9]);
});

test('close(reason) delivers that error to waiters, later ops and for-await; close twice is a no-op', async () => {
  const ch = new Channel<number>(1);
  const blocked = ch.take();
  await yieldNow();
  const reason = new Error('upstream failed');
  ch.close(reason);
  ch.close();
  await assert.rejects(blocked, (e: unknown) => e === reason);
  await assert.rejects(ch.put(1), (e: unknown) => e === reason);
  await assert.rejects(
    (async () => {
      for await (const _ of ch) void _;
    })(),
    (e: unknown) => e === reason,
  );
});

// SharedChannel in one process: values of every kind, put/take/fetch/isready/
// wait/close and the free verbs, async iteration, the message size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, fetch, isready, put, SharedChannel, take, wait } from 'loom';
import { segmentsOf } from './fixtures/shared-leaks.js';

test('values of every kind round-trip in order', async () => {
  const ch = await SharedChannel.create<unknown>(16);
  try {
    const values: unknown[] = [
      3.25, -0, NaN, 'héllo ✓', '', new Float64Array([1.5, 2.5]), new Int16Array([-3, 4]), new BigInt64Array([-9n]),
      { a: 1, b: ['x', null] }, [1, 2, 3], 12345678901234567890n, null, true, new Map([['k', 1]]),
    ];
    for (const v of values) await ch.put(v);
    for (const v of values) assert.deepEqual(await ch.take(), v);
    const u8 = Buffer.from('bytes');
    await ch.put(u8);
    const back = (await ch.take()) as Uint8Array;
    assert.equal(back.constructor, Uint8Array, 'a Buffer arrives as a Uint8Array');
    assert.equal(Buffer.from(back).toString(), 'bytes');
  } finally {
    ch.release();
  }
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('fetch returns the oldest value without removing it; isready and wait', async () => {
  const ch = await SharedChannel.create<number>(4);
  try {
    assert.equal(ch.isready(), false);
    assert.equal(isready(ch), false);
    const waiting = wait(ch);
    setTimeout(() => void ch.put(7), 10);
    await waiting;
    assert.equal(ch.isready(), true);
    assert.equal(await ch.fetch(), 7);
    assert.equal(await fetch(ch), 7);
    assert.equal(ch.isready(), true);
    assert.equal(await ch.take(), 7);
    assert.equal(ch.isready(), false);
  } finally {
    ch.release();
  }
});

test('the free verbs, capacity rounding and a full channel', async () => {
  const ch = await SharedChannel.create<string>(3);
  try {
    assert.equal(ch.capacity, 4, 'rounded up to a power of two');
    for (let i = 0; i < 4; i++) await put(ch, `m${i}`);
    let fifthDone = false;
    const fifth = ch.put('m4').then(() => (fifthDone = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fifthDone, false, 'put waits while the channel is full');
    assert.equal(await take(ch), 'm0');
    await fifth;
    assert.deepEqual([await take(ch), await take(ch), await take(ch), await take(ch)], ['m1', 'm2', 'm3', 'm4']);
  } finally {
    ch.release();
  }
});

test('close: takes drain what is left, then InvalidStateException; puts fail at once; for await ends', async () => {
  const ch = await SharedChannel.create<number>(8);
  try {
    for (const v of [1, 2, 3]) await ch.put(v);
    close(ch);
    assert.equal(ch.closed, true);
    await assert.rejects(ch.put(4), { name: 'InvalidStateException', state: 'closed' });
    assert.equal(await ch.take(), 1);
    const rest: number[] = [];
    for await (const v of ch) rest.push(v);
    assert.deepEqual(rest, [2, 3]);
    await assert.rejects(ch.take(), { name: 'InvalidStateException', message: /is closed/ });
    await assert.rejects(ch.fetch(), { name: 'InvalidStateException' });
  } finally {
    ch.release();
  }
});

test('a wait with a timeout rejects with TimeoutError; an AbortSignal cancels it', async () => {
  const ch = await SharedChannel.create<number>(2);
  try {
    await assert.rejects(ch.take({ timeout: 0.05 }), { name: 'TimeoutError' });
    const ac = new AbortController();
    const p = ch.take({ signal: ac.signal });
    ac.abort();
    await assert.rejects(p);
  } finally {
    ch.release();
  }
});

test('a message larger than the slot size is a RangeError naming it; bad options are errors', async () => {
  const ch = await SharedChannel.create<unknown>(2, { slotSize: 64 });
  try {
    await ch.put(new Uint8Array(62)); // 2 header bytes + 62 = 64: fits exactly
    await assert.rejects(ch.put(new Uint8Array(63)), { name: 'RangeError', message: /65 bytes .*exceeds the 64-byte messages.*slotSize/ });
    await assert.rejects(ch.put('x'.repeat(100)), RangeError);
    assert.equal(((await ch.take()) as Uint8Array).length, 62);
  } finally {
    ch.release();
  }
  await assert.rejects(SharedChannel.create(0), { name: 'RangeError', message: /capacity/ });
  await assert.rejects(SharedChannel.create(2.5), RangeError);
  await assert.rejects(SharedChannel.create(4, { slotSize: 8 }), { name: 'RangeError', message: /slotSize/ });
  await assert.rejects(SharedChannel.create(4, { size: 1 } as never), { name: 'TypeError', message: /unknown option 'size'/ });
  await assert.rejects(SharedChannel.create(4, { spin: -1 }), { name: 'RangeError', message: /spin/ });
  await assert.rejects(SharedChannel.create(4, { impl: 'fast' as never }), { name: 'RangeError', message: /impl must be 'native' or 'ts'/ });
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('use after release is a clear error; the TS twin runs the same channel', async () => {
  const ch = await SharedChannel.create<number>(4, { impl: 'ts' });
  assert.equal(ch.impl, 'ts');
  await ch.put(1);
  assert.equal(await ch.take(), 1);
  ch.release();
  ch.release();
  await assert.rejects(ch.put(2), { name: 'InvalidStateException', message: /released/ });
  assert.throws(() => ch.isready(), /released/);
});

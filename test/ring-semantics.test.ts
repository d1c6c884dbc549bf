// The ring's contract in one process, for both implementations over the same
// bytes: geometry and attach errors, FIFO, full / empty, message size limits,
// batches, 32-bit position wrap-around, close-then-drain, timeouts and aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, RingClosedError, RingFormatError, type RingImpl } from '../lib/shared/ring.js';
import { RingWord, HEADER_BYTES } from '../lib/shared/ring-layout.js';
import { nativeAvailable, shmCreate, shmName, shmUnlink } from '../lib/native.js';
import { TimeoutError } from '../lib/errors.js';
import { put, take, wait, isready, close } from '../lib/tasks/verbs.js';

const impls: RingImpl[] = nativeAvailable ? ['native', 'ts'] : ['ts'];
const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

test('bytesNeeded follows the documented layout: 320 + capacity * (8 + slotSize padded to 8)', () => {
  assert.equal(Ring.bytesNeeded(4, 8), 320 + 4 * 16);
  assert.equal(Ring.bytesNeeded(8, 1), 320 + 8 * 16);
  assert.equal(Ring.bytesNeeded(2, 64), 320 + 2 * 72);
  assert.equal(HEADER_BYTES, 320);
});

test('bad geometry and buffers are RangeErrors / TypeErrors naming the option', () => {
  const buf = new SharedArrayBuffer(4096);
  assert.throws(() => Ring.create(buf, 0, 3, 8), { name: 'RangeError', message: /capacity must be a power of two.*got 3/ });
  assert.throws(() => Ring.create(buf, 0, 4, 0), { name: 'RangeError', message: /slotSize must be an integer.*got 0/ });
  assert.throws(() => Ring.create(buf, 4, 4, 8), { name: 'RangeError', message: /byteOffset must be a multiple of 8, got 4/ });
  assert.throws(() => Ring.create(buf, 0, 1024, 8), { name: 'RangeError', message: /needs 16704 bytes, but the buffer has 4096/ });
  assert.throws(() => Ring.create(new Uint8Array(10) as unknown as ArrayBuffer, 0, 4, 8), { name: 'TypeError', message: /buffer must be/ });
  assert.throws(() => Ring.create(buf, 0, 4, 8, { impl: 'c' as RingImpl }), { name: 'TypeError', message: /options.impl/ });
});

for (const impl of impls) {
  const other: RingImpl = impls.length > 1 ? (impl === 'native' ? 'ts' : 'native') : 'ts';

  test(`[${impl}] attaching to bytes without a ring is a clear error`, () => {
    const buf = new SharedArrayBuffer(4096);
    assert.throws(() => Ring.attach(buf, 0, { impl }), (e: unknown) => {
      assert.ok(e instanceof RingFormatError);
      assert.equal(e.code, 'ERR_RING_BAD_MAGIC');
      assert.match(e.message, /no ring at byte offset 0: the magic number 0x474e4952 \('RING'\) is missing/);
      return true;
    });
    assert.throws(() => Ring.attach(buf, 4000, { impl }), { code: 'ERR_RING_TOO_SMALL' });
    Ring.create(buf, 64, 16, 32, { impl });
    assert.throws(() => Ring.attach(buf.slice(0, 64 + 320 + 100), 64, { impl }), { code: 'ERR_RING_TOO_SMALL', message: /needs 960 bytes but the buffer has 420/ });
    const i32 = new Int32Array(buf, 64);
    i32[RingWord.capacity] = 3;
    assert.throws(() => Ring.attach(buf, 64, { impl }), { code: 'ERR_RING_CORRUPT' });
  });

  test(`[${impl}] FIFO, full and empty, fresh copies, and the other impl reads the same bytes`, () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(4, 8));
    const r = Ring.create(buf, 0, 4, 8, { impl });
    const o = Ring.attach(buf, 0, { impl: other });
    assert.equal(r.impl, impl);
    assert.deepEqual([r.capacity, r.slotSize, o.capacity, o.slotSize], [4, 8, 4, 8]);
    assert.equal(r.tryPop(), undefined);
    assert.equal(r.tryPush(bytes()), true); // empty messages are messages
    assert.equal(r.tryPush(bytes(1)), true);
    assert.equal(o.tryPush(bytes(1, 2)), true);
    assert.equal(r.tryPush(bytes(1, 2, 3, 4, 5, 6, 7, 8)), true);
    assert.equal(r.tryPush(bytes(9)), false, 'full');
    assert.equal(o.size, 4);
    const a = o.tryPop();
    assert.deepEqual(a, bytes());
    assert.deepEqual(r.tryPop(), bytes(1));
    assert.deepEqual(o.tryPop(), bytes(1, 2));
    const last = r.tryPop() as Uint8Array;
    assert.deepEqual(last, bytes(1, 2, 3, 4, 5, 6, 7, 8));
    assert.equal(last.buffer.byteLength, 8, 'a popped message owns its bytes');
    assert.equal(o.tryPop(), undefined);
    assert.equal(r.size, 0);
  });

  test(`[${impl}] a message larger than slotSize is a RangeError naming both sizes`, () => {
    const r = Ring.create(new SharedArrayBuffer(Ring.bytesNeeded(4, 8)), 0, 4, 8, { impl });
    assert.throws(() => r.tryPush(new Uint8Array(9)), { name: 'RangeError', message: "message of 9 bytes is larger than the ring's slotSize of 8 bytes" });
    assert.throws(() => r.pushBatch([new Uint8Array(1), new Uint8Array(12)]), { name: 'RangeError', message: /12 bytes is larger than the ring's slotSize of 8/ });
    assert.equal(r.size, 0, 'a batch with a bad message pushes nothing');
    assert.throws(() => r.tryPush([1, 2] as unknown as Uint8Array), { name: 'TypeError' });
  });

  test(`[${impl}] positions wrap around 2^32 safely`, () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(4, 8));
    const r = Ring.create(buf, 0, 4, 8, { impl });
    const o = Ring.attach(buf, 0, { impl: other });
    // Move the empty ring to just before the wrap: tail = head = -16 (0xfffffff0).
    const i32 = new Int32Array(buf);
    const start = -16;
    i32[RingWord.tail] = start;
    i32[RingWord.head] = start;
    for (let k = 0; k < 4; k++) {
      const pos = (start + 2 * k) | 0;
      i32[(HEADER_BYTES + ((pos >>> 1) & 3) * 16) / 4] = pos;
    }
    for (let round = 0; round < 40; round++) {
      const w = round % 2 ? r : o;
      const q = round % 2 ? o : r;
      assert.equal(w.pushBatch([bytes(round, 0), bytes(round, 1), bytes(round, 2)]), 3);
      assert.equal(w.tryPush(bytes(round, 3)), true);
      assert.equal(w.tryPush(bytes(round, 4)), false);
      assert.deepEqual(q.popBatch(2), [bytes(round, 0), bytes(round, 1)]);
      assert.deepEqual(q.tryPop(), bytes(round, 2));
      assert.deepEqual(w.tryPop(), bytes(round, 3));
      assert.equal(q.tryPop(), undefined);
    }
    assert.ok(i32[RingWord.head] as number > 0, 'the head went past the wrap');
  });

  test(`[${impl}] batches push the prefix that fits and pop up to max`, () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(8, 16));
    const r = Ring.create(buf, 0, 8, 16, { impl });
    const msgs = Array.from({ length: 11 }, (_, i) => new Uint8Array(1 + i).fill(i));
    assert.equal(r.pushBatch(msgs.slice(0, 5)), 5);
    assert.equal(r.pushBatch(msgs.slice(5)), 3, 'only 3 more fit');
    assert.equal(r.pushBatch(msgs), 0, 'full');
    assert.deepEqual(r.popBatch(3), msgs.slice(0, 3));
    assert.deepEqual(r.popBatch(100), msgs.slice(3, 8));
    assert.deepEqual(r.popBatch(4), []);
    assert.equal(r.pushBatch([]), 0);
    // the allocation-free forms
    const data = new Uint8Array(64);
    const lens = Uint32Array.of(3, 0, 16, 5);
    data.set([1, 2, 3], 0);
    data.fill(7, 3, 19);
    data.set([9, 9, 9, 9, 9], 19);
    assert.equal(r.pushPacked(data, lens), 4);
    const out = new Uint8Array(20);
    const outLens = new Uint32Array(8);
    assert.equal(r.popPacked(out, outLens), 3, 'the 4th message does not fit in 20 bytes');
    assert.deepEqual(Array.from(outLens.subarray(0, 3)), [3, 0, 16]);
    assert.deepEqual(Array.from(out.subarray(0, 19)), [1, 2, 3, ...new Array<number>(16).fill(7)]);
    assert.equal(r.popPacked(out, outLens), 1);
    assert.deepEqual(Array.from(out.subarray(0, 5)), [9, 9, 9, 9, 9]);
    assert.throws(() => r.pushPacked(data, Uint32Array.of(17)), { name: 'RangeError', message: /17 bytes is larger than the ring's slotSize of 16/ });
    assert.throws(() => r.pushPacked(new Uint8Array(4), Uint32Array.of(3, 3)), { name: 'RangeError', message: /lens add up to 6 bytes but data has 4/ });
  });

  test(`[${impl}] close: pushes fail with RingClosedError, pops drain what is left, then fail`, async () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(8, 8));
    const r = Ring.create(buf, 0, 8, 8, { impl });
    const o = Ring.attach(buf, 0, { impl: other });
    r.pushBatch([bytes(1), bytes(2), bytes(3)]);
    assert.equal(o.closed, false);
    o.close();
    assert.equal(r.closed, true);
    assert.throws(() => r.tryPush(bytes(4)), (e: unknown) => e instanceof RingClosedError && e.code === 'ERR_RING_CLOSED');
    assert.throws(() => r.pushBatch([bytes(4)]), RingClosedError);
    await assert.rejects(r.push(bytes(4)), RingClosedError);
    assert.deepEqual(r.tryPop(), bytes(1));
    assert.deepEqual(o.popBatch(1), [bytes(2)]);
    assert.deepEqual(await r.pop(), bytes(3));
    assert.throws(() => r.tryPop(), RingClosedError);
    assert.throws(() => o.popBatch(4), RingClosedError);
    await assert.rejects(o.pop(), RingClosedError);
    r.close(); // idempotent
    assert.equal(r.size, 0);
  });

  test(`[${impl}] blocking pop and push wait in-process, time out, and abort`, async () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(2, 8));
    const r = Ring.create(buf, 0, 2, 8, { impl });
    const o = Ring.attach(buf, 0, { impl: other });
    const i32 = new Int32Array(buf);
    const popped = r.pop();
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(i32[RingWord.emptyWaiters], 1, 'the popper announced itself');
    o.tryPush(bytes(5));
    assert.deepEqual(await popped, bytes(5));
    assert.equal(i32[RingWord.emptyWaiters], 0);

    const t0 = performance.now();
    await assert.rejects(r.pop({ timeout: 0.05 }), (e: unknown) => e instanceof TimeoutError && /Ring.pop timed out after 0.05 s/.test(e.message));
    assert.ok(performance.now() - t0 >= 45);

    o.tryPush(bytes(1));
    o.tryPush(bytes(2));
    const pushed = r.push(bytes(3));
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(i32[RingWord.fullWaiters], 1);
    assert.deepEqual(o.tryPop(), bytes(1));
    await pushed;
    assert.deepEqual(r.popBatch(4), [bytes(2), bytes(3)]);

    const ac = new AbortController();
    const aborted = r.pop({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop waiting')), 10);
    await assert.rejects(aborted, { message: 'stop waiting' });
    assert.equal(i32[RingWord.emptyWaiters], 0, 'an aborted waiter leaves the count');

    const blocked = r.pop();
    setTimeout(() => o.close(), 10);
    await assert.rejects(blocked, RingClosedError, 'close wakes a blocked popper, which finds nothing left');
  });

  test(`[${impl}] a pop with a spin budget takes what is there, and still times out on an empty ring`, async () => {
    const buf = new SharedArrayBuffer(Ring.bytesNeeded(2, 8));
    const r = Ring.create(buf, 0, 2, 8, { impl, spin: 200 });
    r.tryPush(bytes(1));
    assert.deepEqual(await r.pop({ spin: 50 }), bytes(1));
    await assert.rejects(r.pop({ timeout: 0.01 }), TimeoutError); // spins 200 µs, then sleeps
    await assert.rejects(r.pop({ spin: -1 }), { name: 'RangeError', message: /options.spin must be a non-negative number/ });
    assert.throws(() => Ring.attach(buf, 0, { impl, spin: Number.NaN }), { name: 'RangeError' });
  });
}

test('a ring over a closed Mapping fails with ERR_RING_DETACHED, never a crash', { skip: !nativeAvailable }, () => {
  const name = shmName();
  const m = shmCreate(name, Ring.bytesNeeded(4, 8));
  shmUnlink(name);
  const rings = impls.map((impl, k) => (k === 0 ? Ring.create(m.buffer, 0, 4, 8, { impl }) : Ring.attach(m.buffer, 0, { impl })));
  rings[0]?.tryPush(bytes(1));
  m.close();
  for (const r of rings) {
    assert.throws(() => r.tryPush(bytes(1)), { code: 'ERR_RING_DETACHED' });
    assert.throws(() => r.tryPop(), { code: 'ERR_RING_DETACHED' });
    assert.throws(() => r.popBatch(2), { code: 'ERR_RING_DETACHED' });
  }
  assert.throws(() => Ring.attach(m.buffer, 0), { code: 'ERR_RING_DETACHED' });
});

test("impl 'native' without the addon is a clear error", { skip: nativeAvailable }, () => {
  assert.throws(() => Ring.create(new SharedArrayBuffer(1024), 0, 2, 8, { impl: 'native' }), { code: 'ERR_LOOM_NO_NATIVE' });
});

test('the free verbs put, take, wait, isready and close work on a Ring', async () => {
  const r = Ring.create(new SharedArrayBuffer(Ring.bytesNeeded(4, 8)), 0, 4, 8);
  assert.equal(isready(r), false);
  const waited = wait(r);
  await put(r, bytes(1, 2));
  await waited;
  assert.equal(isready(r), true);
  assert.deepEqual(await take(r), bytes(1, 2));
  await close(r);
  await assert.rejects(put(r, bytes(3)), RingClosedError);
  await assert.rejects(wait(r), RingClosedError);
});

// Blocking push / pop across processes: a pop sleeping on the ring's futex in
// one process is woken by a push in another (each impl on each side), a push
// sleeping on a full ring is woken by a pop, and close wakes sleepers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, RingClosedError, type RingImpl } from '../lib/shared/ring.js';
import { RingWord } from '../lib/shared/ring-layout.js';
import { nativeAvailable } from '../lib/native.js';
import { createSegment, killPeers, leakedSegments, startPeer } from './fixtures/ring-processes.js';

const skip = nativeAvailable ? false : 'needs the native addon (shm segments, cross-process futex)';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

for (const [here, there] of [
  ['native', 'ts'],
  ['ts', 'native'],
  ['ts', 'ts'],
] as Array<[RingImpl, RingImpl]>) {
  test(`a pop sleeping here (${here}) is woken by a push in a child (${there}), and a full push by a child's pop`, { skip }, async (t) => {
    const seg = createSegment(Ring.bytesNeeded(2, 8));
    t.after(() => {
      killPeers();
      seg.dispose();
    });
    const ring = Ring.create(seg.mapping.buffer, 0, 2, 8, { impl: here });
    const i32 = new Int32Array(seg.mapping.buffer);
    const base = { segment: seg.name, byteLength: seg.mapping.byteLength, byteOffset: 0, impl: there };

    // empty: we sleep until the child pushes (it starts later than our pop)
    const popped = ring.pop({ timeout: 30 });
    await until(() => i32[RingWord.emptyWaiters] === 1);
    const pusher = startPeer({ ...base, role: 'push-list', messages: [[42, 43]], delayMs: 50 });
    assert.deepEqual(await popped, Uint8Array.of(42, 43));
    await pusher.result;

    // full: our push sleeps until the child pops
    ring.tryPush(Uint8Array.of(1));
    ring.tryPush(Uint8Array.of(2));
    const pushed = ring.push(Uint8Array.of(3), { timeout: 30 });
    await until(() => i32[RingWord.fullWaiters] === 1);
    const popper = startPeer({ ...base, role: 'pop-list', count: 1, delayMs: 50 });
    await pushed;
    assert.deepEqual(await popper.result, { messages: [[1]] });
    assert.deepEqual(ring.popBatch(4), [Uint8Array.of(2), Uint8Array.of(3)]);
    assert.equal(i32[RingWord.emptyWaiters], 0);
    assert.equal(i32[RingWord.fullWaiters], 0);
  });
}

test('close in one process wakes a pop sleeping in another with RingClosedError', { skip }, async (t) => {
  const seg = createSegment(Ring.bytesNeeded(4, 8));
  t.after(() => {
    killPeers();
    seg.dispose();
  });
  const ring = Ring.create(seg.mapping.buffer, 0, 4, 8, { impl: 'native' });
  const i32 = new Int32Array(seg.mapping.buffer);
  const drainer = startPeer({ segment: seg.name, byteLength: seg.mapping.byteLength, byteOffset: 0, impl: 'ts', role: 'pop-until-closed' });
  await until(() => i32[RingWord.emptyWaiters] === 1);
  ring.close();
  assert.deepEqual(await drainer.result, { messages: [], closedError: true });
  await assert.rejects(ring.push(Uint8Array.of(1)), RingClosedError);
});

test('no segment of this test is left in /dev/shm', { skip }, () => {
  assert.deepEqual(leakedSegments(), []);
});

// A ring written by C++ (impl 'native') is read by the TypeScript twin (impl
// 'ts') in another process, and the reverse, over a real shm segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, type RingImpl } from '../lib/shared/ring.js';
import { nativeAvailable } from '../lib/native.js';
import { createSegment, killPeers, leakedSegments, startPeer } from './fixtures/ring-processes.js';

const skip = nativeAvailable ? false : 'needs the native addon (shm segments)';
const OFFSET = 64;

function messages(n: number, slotSize: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: i % (slotSize + 1) }, (_, k) => (i * 7 + k) & 0xff));
}

for (const [here, there] of [
  ['native', 'ts'],
  ['ts', 'native'],
] as Array<[RingImpl, RingImpl]>) {
  test(`a ring created and filled by ${here} in this process is read by ${there} in a child process`, { skip }, async (t) => {
    const seg = createSegment(OFFSET + Ring.bytesNeeded(64, 24));
    t.after(() => {
      killPeers();
      seg.dispose();
    });
    const ring = Ring.create(seg.mapping.buffer, OFFSET, 64, 24, { impl: here });
    const sent = messages(50, 24);
    assert.equal(ring.pushBatch(sent.slice(0, 20).map((m) => Uint8Array.from(m))), 20);
    for (const m of sent.slice(20)) assert.equal(ring.tryPush(Uint8Array.from(m)), true);
    const peer = startPeer({ segment: seg.name, byteLength: seg.mapping.byteLength, byteOffset: OFFSET, impl: there, role: 'pop-list', count: 50 });
    const got = (await peer.result) as { messages: number[][] };
    assert.deepEqual(got.messages, sent);
    assert.equal(ring.size, 0);
  });

  test(`a child process writing with ${there} is read here by ${here}, then closes; we drain and see the close`, { skip }, async (t) => {
    const seg = createSegment(OFFSET + Ring.bytesNeeded(16, 40));
    t.after(() => {
      killPeers();
      seg.dispose();
    });
    const ring = Ring.create(seg.mapping.buffer, OFFSET, 16, 40, { impl: here });
    const sent = messages(40, 40); // more than the capacity: the child blocks while full
    const peer = startPeer({
      segment: seg.name,
      byteLength: seg.mapping.byteLength,
      byteOffset: OFFSET,
      impl: there,
      role: 'push-list',
      messages: sent,
    });
    const got: number[][] = [];
    while (got.length < sent.length) got.push(Array.from(await ring.pop({ timeout: 20 })));
    assert.deepEqual(got, sent);
    assert.deepEqual(await peer.result, { pushed: 40 });
    // and the other way round for close: a child pops until closed
    const drainer = startPeer({ segment: seg.name, byteLength: seg.mapping.byteLength, byteOffset: OFFSET, impl: there, role: 'pop-until-closed' });
    ring.tryPush(Uint8Array.of(1, 2, 3));
    ring.close();
    const drained = (await drainer.result) as { messages: number[][]; closedError: boolean };
    assert.deepEqual(drained, { messages: [[1, 2, 3]], closedError: true });
  });
}

test('no segment of this test is left in /dev/shm', { skip }, () => {
  assert.deepEqual(leakedSegments(), []);
});

// Two producer processes and two consumer processes on one ring in a shm
// segment, mixing impls ('native' and 'ts'), single and batch calls, and
// blocking push / pop. Counts, index sums and hash checksums per producer
// prove that nothing was lost or duplicated; each consumer also checks every
// message's bytes and each producer's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring } from '../lib/shared/ring.js';
import { nativeAvailable } from '../lib/native.js';
import { createSegment, killPeers, leakedSegments, startPeer } from './fixtures/ring-processes.js';
import { expectedTotals, mergeTotals, type TallyReport } from './fixtures/ring-messages.js';

const skip = nativeAvailable ? false : 'needs the native addon (shm segments)';
const PER_PRODUCER = 100_000;
const CAPACITY = 256;
const SLOT = 32;

test(`2 producer + 2 consumer processes move ${2 * PER_PRODUCER} messages: none lost, none duplicated`, { skip, timeout: 60_000 }, async (t) => {
  const seg = createSegment(Ring.bytesNeeded(CAPACITY, SLOT));
  t.after(() => {
    killPeers();
    seg.dispose();
  });
  const ring = Ring.create(seg.mapping.buffer, 0, CAPACITY, SLOT, { impl: 'native' });
  const base = { segment: seg.name, byteLength: seg.mapping.byteLength, byteOffset: 0 };
  const consumers = [
    startPeer({ ...base, impl: 'native', role: 'consume', producers: 2, batch: 32 }),
    startPeer({ ...base, impl: 'ts', role: 'consume', producers: 2, batch: 1 }),
  ];
  const producers = [
    startPeer({ ...base, impl: 'ts', role: 'produce', producer: 0, count: PER_PRODUCER, batch: 16 }),
    startPeer({ ...base, impl: 'native', role: 'produce', producer: 1, count: PER_PRODUCER, batch: 1 }),
  ];
  for (const p of producers) assert.deepEqual(await p.result, { pushed: PER_PRODUCER });
  ring.close(); // the consumers drain what is left, then stop on RingClosedError
  const reports = (await Promise.all(consumers.map((c) => c.result))) as TallyReport[];
  assert.equal(reports[0]!.count + reports[1]!.count, 2 * PER_PRODUCER);
  assert.ok(reports.every((r) => r.count > 0), `both consumers got work: ${reports.map((r) => r.count).join(' / ')}`);
  assert.deepEqual(mergeTotals(reports, 2), expectedTotals(2, PER_PRODUCER));
  assert.equal(ring.size, 0);
  const i32 = new Int32Array(seg.mapping.buffer);
  assert.equal(i32[49], 0, 'no popper still counted as waiting');
  assert.equal(i32[65], 0, 'no pusher still counted as waiting');
});

test('no segment of this test is left in /dev/shm', { skip }, () => {
  assert.deepEqual(leakedSegments(), []);
});

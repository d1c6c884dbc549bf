// The frame layer on its own: frames split at every byte boundary reassemble,
// frames written in one turn leave in one write, bad lengths are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FrameError, FrameReader, FrameWriter } from '../lib/cluster/framing.js';

function frames(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((b) => {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(b.length, 0);
      return [h, b];
    }),
  );
}

test('FrameReader reassembles frames from chunks split anywhere', () => {
  const bodies = [Buffer.from('a'), Buffer.alloc(1000, 7), Buffer.from('hello world'), Buffer.alloc(70_000, 3)];
  const wire = frames(bodies);
  for (const step of [1, 3, 4, 5, 999, 4096, wire.length]) {
    const got: Buffer[] = [];
    const r = new FrameReader((b, start, end) => got.push(Buffer.from(b.subarray(start, end))));
    for (let i = 0; i < wire.length; i += step) r.push(wire.subarray(i, i + step));
    assert.deepEqual(got, bodies, `chunk size ${step}`);
  }
});

test('FrameReader hands on frames inside one chunk as ranges of it, without copying; push takes a length', () => {
  const wire = Buffer.concat([frames([Buffer.from('xyz'), Buffer.from('abc')]), Buffer.from('stale bytes of an earlier read')]);
  const got: [Buffer, number, number][] = [];
  new FrameReader((b, start, end) => got.push([b, start, end])).push(wire, 14);
  assert.deepEqual(got, [
    [wire, 4, 7],
    [wire, 11, 14],
  ]);
});

test('FrameReader refuses empty and oversized frames', () => {
  const r = new FrameReader(() => undefined, 100);
  assert.throws(() => r.push(frames([Buffer.alloc(101)])), (e: unknown) => e instanceof FrameError && /oversized frame: 101 bytes/.test((e as Error).message));
  const r2 = new FrameReader(() => undefined);
  assert.throws(() => r2.push(Buffer.alloc(4)), /empty body/);
});

test('FrameWriter coalesces the frames of one turn: one write for a few, 4 KB slices for a burst', async () => {
  const writes: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk);
      cb();
    },
  });
  const w = new FrameWriter(out);
  const few = Array.from({ length: 50 }, (_, i) => Buffer.from(`frame ${i}`));
  for (const b of few) w.writeFrame(b);
  assert.equal(writes.length, 0, 'nothing leaves before the end of the turn while under 4 KB');
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0], frames(few));
  // A burst leaves in slices of at least 4 KB (the peer starts on them early), bytes in order.
  writes.length = 0;
  const bodies = Array.from({ length: 1000 }, (_, i) => Buffer.from(`frame ${i}`));
  for (const b of bodies) w.writeFrame(b);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const total = frames(bodies);
  assert.deepEqual(Buffer.concat(writes), total);
  assert.ok(writes.length <= Math.ceil(total.length / 4096) + 1, `${writes.length} writes for ${total.length} bytes`);
  for (const chunk of writes.slice(0, -1)) assert.ok(chunk.length >= 4096, `a slice of ${chunk.length} bytes`);
  writes.length = 0;
  w.writeFrame(Buffer.from('next turn'));
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1);
});

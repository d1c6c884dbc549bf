// Both ends of a local worker's link read into one reused buffer
// (link-socket.ts). Typed arrays that node:v8 decodes would be views of that
// buffer: on a real worker they must keep their contents after later reads
// overwrote it, and so must those of the replies process 1 keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, remotecall, remotecallFetch, rmprocs } from 'loom';

test('typed arrays and Buffers received by a worker keep their bytes after later messages', async (t) => {
  const [pid] = await addprocs(1);
  t.after(() => rmprocs(pid!));
  const kept = 64;
  // Pipelined, so that many frames share reads; each array is kept on the worker.
  const sends = [];
  for (let k = 0; k < kept; k++) {
    const a = new Float64Array(512).fill(k + 0.5);
    const b = Buffer.alloc(300, k);
    sends.push(
      remotecall(
        pid!,
        (x: Float64Array, y: Buffer, i: number) => {
          const g = globalThis as { keptArrays?: [Float64Array, Buffer][] };
          (g.keptArrays ??= [])[i] = [x, y];
          return i;
        },
        a,
        b,
        k,
      ),
    );
  }
  await Promise.all(sends.map((f) => f.wait()));
  // Many more messages through the same buffer.
  for (let i = 0; i < 2000; i++) await remotecallFetch(pid!, (v: number) => v, i);
  const bad = await remotecallFetch(pid!, (n: number) => {
    const g = globalThis as { keptArrays?: [Float64Array, Buffer][] };
    const wrong: number[] = [];
    for (let k = 0; k < n; k++) {
      const [x, y] = g.keptArrays![k]!;
      if (x.length !== 512 || x.some((v) => v !== k + 0.5) || y.length !== 300 || y.some((v) => v !== (k & 255))) wrong.push(k);
    }
    return wrong;
  }, kept);
  assert.deepEqual(bad, []);
});

test('typed arrays in replies that process 1 keeps keep their bytes after later replies', async (t) => {
  const [pid] = await addprocs(1);
  t.after(() => rmprocs(pid!));
  const kept = await Promise.all(
    Array.from({ length: 64 }, (_, k) => remotecallFetch(pid!, (i: number) => [new Float64Array(512).fill(i + 0.5), Buffer.alloc(300, i)], k)),
  );
  for (let i = 0; i < 2000; i++) await remotecallFetch(pid!, (v: number) => v, i);
  kept.forEach(([x, y], k) => {
    assert.ok(x.length === 512 && x.every((v) => v === k + 0.5), `Float64Array of reply ${k}`);
    assert.ok(y.length === 300 && y.every((v) => v === (k & 255)), `Buffer of reply ${k}`);
  });
});

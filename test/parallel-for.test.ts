// parallelFor: Julia's splitrange chunks (0-based), one contiguous chunk per
// worker; with a reducer, reduced on each worker then here; without one, the
// chunks' Futures at once, which `sync` waits for; args and pids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, Future, fetch, parallelFor, Range, rmprocs, splitrange, sync, RemoteChannel } from 'loom';

declare const loom: typeof import('loom');

test('splitrange: contiguous chunks, extras to the first ones (Julia\'s, 0-based)', () => {
  const show = (rs: Range[]) => rs.map((r) => `${r.start}:${r.stop}`);
  assert.deepEqual(show(splitrange(0, 11, 3)), ['0:4', '4:8', '8:11']); // Julia: splitrange(1, 11, 3) = [1:4, 5:8, 9:11]
  assert.deepEqual(show(splitrange(0, 12, 3)), ['0:4', '4:8', '8:12']);
  assert.deepEqual(show(splitrange(5, 7, 4)), ['5:6', '6:7'], 'fewer items than chunks: one item each');
  assert.deepEqual(splitrange(3, 3, 2), []);
  assert.throws(() => splitrange(0, 10, 0), RangeError);
  assert.throws(() => splitrange(0.5, 10, 2), RangeError);
});

test('with a reducer: each worker reduces its chunk, the caller reduces the rest', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const sum = await parallelFor(1000, (i: number) => i, (a: number, b: number) => a + b);
  assert.equal(sum, (999 * 1000) / 2);
  // Julia's coin-flip example: count heads in 200000 flips.
  const heads = await parallelFor([0, 200_000], () => (Math.random() < 0.5 ? 1 : 0), (a: number, b: number) => a + b);
  assert.ok(heads > 95_000 && heads < 105_000);
  // The chunks are contiguous, in order, one per worker, and the final reduction keeps their order.
  const chunks = await parallelFor(10, (i: number) => [[loom.myid(), i]], (a: number[][], b: number[][]) => [...a, ...b]);
  assert.deepEqual(chunks.map(([, i]) => i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(chunks.map(([p]) => p), [ids[0], ids[0], ids[0], ids[0], ids[0], ids[1], ids[1], ids[1], ids[1], ids[1]]);
  // Async bodies and reducers; args; pids.
  const got = await parallelFor(new Range(0, 6), async (i: number, k: number) => i * k, {
    reducer: async (a: number, b: number) => a + b,
    args: [10],
    pids: [ids[1]!],
  });
  assert.equal(got, 150);
  await assert.rejects(parallelFor(0, (i: number) => i, (a: number, b: number) => a + b), TypeError);
  await assert.rejects(
    parallelFor(4, (i: number) => {
      if (i === 3) throw new Error('three');
      return i;
    }, (a: number, b: number) => a + b),
    /On worker \d+: Error: three/,
  );
});

test('without a reducer: Futures at once, one per chunk; sync waits for them', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const out = new RemoteChannel<number>(Infinity);
  let futures: Future<void>[] = [];
  const t0 = Date.now();
  await sync(() => {
    futures = parallelFor(8, async (i: number, ch: RemoteChannel<number>) => {
      await new Promise((r) => setTimeout(r, 50));
      await ch.put(i);
    }, { args: [out] });
    assert.ok(Array.isArray(futures), 'returned at once, not a Promise');
    assert.equal(futures.length, 2);
    assert.ok(futures.every((f) => f instanceof Future));
  });
  assert.ok(Date.now() - t0 >= 200, 'sync waited for the loop bodies');
  const seen: number[] = [];
  while (await out.isready()) seen.push(await out.take());
  assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const f of futures) assert.equal(await fetch(f), undefined);
  // Outside sync it still runs; the Futures say when.
  const fs = parallelFor(4, () => undefined);
  await Promise.all(fs.map((f) => f.wait()));
  // A failing body: sync collects it.
  await assert.rejects(
    sync(() => {
      parallelFor(4, (i: number) => {
        if (i === 0) throw new Error('first chunk failed');
      });
    }),
    (e: Error) => e.name === 'CompositeException' && /first chunk failed/.test(e.message),
  );
});

test('with no workers parallelFor runs here', async () => {
  assert.equal(await parallelFor(5, (i: number) => i * 2, (a: number, b: number) => a + b), 20);
  const fs = parallelFor(3, () => undefined);
  assert.equal(fs.length, 1);
  assert.equal(fs[0]!.where, 1);
  await fs[0]!.wait();
});

// SharedChannel across real worker processes: producers and consumers on different
// processes, blocking waits woken across processes, pids rules, no segment left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remotecall, remotecallFetch, SharedChannel, wait } from 'loom';
import { workersForFile } from './fixtures/shared-leaks.js';

workersForFile(2);

test('a worker produces, the master consumes, in order; take waits across processes', async () => {
  const ch = await SharedChannel.create<number>(8);
  try {
    const producer = remotecall(2, async (c: SharedChannel<number>) => {
      for (let i = 0; i < 500; i++) await c.put(i);
      c.close();
    }, ch);
    const got: number[] = [];
    for await (const v of ch) got.push(v);
    await wait(producer);
    assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => i));
  } finally {
    ch.release();
  }
});

test('two worker producers, one master consumer: every message arrives once', async () => {
  const ch = await SharedChannel.create<string>(4, { slotSize: 128 });
  try {
    const producers = [2, 3].map((p) =>
      remotecall(p, async (c: SharedChannel<string>, me: number) => {
        for (let i = 0; i < 300; i++) await c.put(`${me}:${i}`);
      }, ch, p),
    );
    const got = new Set<string>();
    for (let k = 0; k < 600; k++) got.add(await ch.take());
    await Promise.all(producers.map((f) => wait(f)));
    assert.equal(got.size, 600);
    for (const p of [2, 3]) for (let i = 0; i < 300; i++) assert.ok(got.has(`${p}:${i}`));
  } finally {
    ch.release();
  }
});

test('the master produces typed arrays, a worker consumes them and reports a checksum', async () => {
  const ch = await SharedChannel.create<Float64Array>(16, { slotSize: 8 * 256 + 2 });
  try {
    const consumer = remotecallFetch(3, async (c: SharedChannel<Float64Array>) => {
      let sum = 0;
      let n = 0;
      for await (const a of c) {
        n++;
        for (const x of a) sum += x;
      }
      return [n, sum];
    }, ch);
    let expected = 0;
    for (let k = 0; k < 100; k++) {
      const a = new Float64Array(256).fill(k);
      expected += 256 * k;
      await ch.put(a);
    }
    ch.close();
    assert.deepEqual(await consumer, [100, expected]);
  } finally {
    ch.release();
  }
});

test('one producer, two worker consumers: each message is taken exactly once', async () => {
  const ch = await SharedChannel.create<number>(16);
  try {
    const consumers = [2, 3].map((p) =>
      remotecallFetch(p, async (c: SharedChannel<number>) => {
        const got: number[] = [];
        for await (const v of c) got.push(v);
        return got;
      }, ch),
    );
    for (let i = 0; i < 2000; i++) await ch.put(i);
    ch.close();
    const [a, b] = await Promise.all(consumers);
    const all = [...a!, ...b!].sort((x, y) => x - y);
    assert.equal(all.length, 2000);
    assert.deepEqual(all, Array.from({ length: 2000 }, (_, i) => i));
    for (const list of [a!, b!]) for (let k = 1; k < list.length; k++) assert.ok(list[k]! > list[k - 1]!, 'each consumer sees FIFO order');
  } finally {
    ch.release();
  }
});

test('sending a SharedChannel outside its pids is an error that names them', async () => {
  const ch = await SharedChannel.create(2, { pids: [1, 2] });
  try {
    await assert.rejects(remotecallFetch(3, (c: SharedChannel) => c.capacity, ch), /mapped only by its pids \[1, 2\]/);
    assert.equal(await remotecallFetch(2, (c: SharedChannel) => c.capacity, ch), 2);
  } finally {
    ch.release();
  }
});

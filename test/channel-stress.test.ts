// Many producers and consumers on one Channel, every size: each value is
// delivered exactly once, per-producer order is kept, and nothing is left over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, TimeoutError, asyncTask, sync, yieldNow } from '../lib/index.js';

for (const size of [0, 1, 3, 32, Infinity]) {
  test(`size ${size}: 4 producers / 4 consumers, exactly-once delivery in per-producer order`, async () => {
    const ch = new Channel<[number, number]>(size);
    const perProducer = 2_000;
    const received: [number, number][][] = [[], [], [], []];
    await sync(async () => {
      for (let p = 0; p < 4; p++) {
        asyncTask(async () => {
          for (let i = 0; i < perProducer; i++) {
            await ch.put([p, i]);
            if (i % 97 === 0) await yieldNow();
          }
        });
      }
      const consumers = [0, 1, 2, 3].map((c) =>
        asyncTask(async () => {
          for await (const v of ch) {
            received[c]!.push(v);
            if (v[1] % 89 === 0) await yieldNow();
          }
        }),
      );
      // Close once everything was taken: wait until the consumers drained 8000 values.
      while (received.reduce((n, r) => n + r.length, 0) < 4 * perProducer) await yieldNow();
      ch.close();
      void consumers;
    });
    const all = received.flat();
    assert.equal(all.length, 4 * perProducer);
    const seen = new Set(all.map(([p, i]) => p * perProducer + i));
    assert.equal(seen.size, 4 * perProducer, 'a value was delivered twice');
    // Each consumer sees each producer's values in increasing order (FIFO channel).
    for (const r of received) {
      const last = [-1, -1, -1, -1];
      for (const [p, i] of r) {
        assert.ok(i > last[p]!, `out of order from producer ${p}`);
        last[p] = i;
      }
    }
    assert.equal(ch.length, 0);
  });
}

test('takes with short timeouts racing puts lose no value', async () => {
  const ch = new Channel<number>(2);
  const got: number[] = [];
  let timeouts = 0;
  await sync(() => {
    asyncTask(async () => {
      for (let i = 0; i < 300; i++) {
        await ch.put(i);
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      ch.close();
    });
    for (let c = 0; c < 3; c++) {
      asyncTask(async () => {
        for (;;) {
          try {
            got.push(await ch.take({ timeout: 0.0005 }));
          } catch (e) {
            if (e instanceof TimeoutError) {
              timeouts++;
              continue;
            }
            if (ch.closed) return;
            throw e;
          }
        }
      });
    }
  });
  assert.deepEqual([...got].sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i));
  assert.ok(timeouts > 0, 'the race was exercised');
});

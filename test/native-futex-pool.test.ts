// Many concurrent async futex waits do not hold libuv's pool threads: with
// 200 (and then 1000) waits pending, fs.readFile and dns.lookup still finish
// at once, and the waits sit on a few dedicated threads (127 per thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { futexStats, futexWait, futexWake, nativeAvailable, shmCreate, shmName, shmUnlink } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const self = fileURLToPath(import.meta.url);

async function poolWork(): Promise<number> {
  const t0 = performance.now();
  // more jobs than the pool's 4 threads, so a starved pool would show
  await Promise.all([
    ...Array.from({ length: 8 }, () => readFile(self)),
    ...Array.from({ length: 4 }, () => lookup('localhost')),
  ]);
  return performance.now() - t0;
}

for (const count of [200, 1000]) {
  test(`${count} pending async waits leave fs.readFile and dns.lookup unaffected`, { skip }, async () => {
    const name = shmName();
    const m = shmCreate(name, count * 4);
    shmUnlink(name);
    try {
      const v = new Int32Array(m.buffer);
      const baseline = await poolWork();
      const waits = Array.from({ length: count }, (_, i) => futexWait(v, i, 0, 60));
      await new Promise((r) => setTimeout(r, 50));
      const stats = futexStats();
      assert.equal(stats.pending, count);
      assert.equal(stats.threads, Math.ceil(count / 127), 'few dedicated waiter threads, not one per wait');
      const during = await poolWork();
      assert.ok(during < 2000, `fs/dns took ${during.toFixed(1)} ms with ${count} waits pending (baseline ${baseline.toFixed(1)} ms)`);
      for (let i = 0; i < count; i++) {
        Atomics.store(v, i, 1);
        futexWake(v, i);
      }
      const results = await Promise.all(waits);
      assert.equal(results.filter((r) => r === 'ok').length, count);
      assert.equal(futexStats().pending, 0);
    } finally {
      m.close();
    }
  });
}

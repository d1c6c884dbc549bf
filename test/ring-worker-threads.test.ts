// The ring over a SharedArrayBuffer between worker_threads on the pure-TS
// path: workers without the addon (LOOM_NATIVE=0) run the TS twin and sleep
// in Atomics.waitAsync; this thread takes part with the TS twin (and with the
// native impl when the addon is here: it must wake them too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ring, RingClosedError, type RingImpl } from '../lib/shared/ring.js';
import { nativeAvailable } from '../lib/native.js';
import { Tally, expectedTotals, mergeTotals, type TallyReport } from './fixtures/ring-messages.js';

const threadScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ring-thread.js');
const PER_PRODUCER = 30_000;

function startThread(data: Record<string, unknown>): { worker: Worker; result: Promise<Record<string, unknown>> } {
  const worker = new Worker(threadScript, { workerData: data, env: { ...process.env, LOOM_NATIVE: '0' } });
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`ring thread exited with ${code} before answering`)));
  });
  return { worker, result };
}

const mainImpls: RingImpl[] = nativeAvailable ? ['ts', 'native'] : ['ts'];

for (const impl of mainImpls) {
  test(`2 producer threads (TS path) -> this thread (${impl}) + 1 consumer thread, over a SharedArrayBuffer`, { timeout: 60_000 }, async (t) => {
    const buffer = new SharedArrayBuffer(Ring.bytesNeeded(64, 24));
    const ring = Ring.create(buffer, 0, 64, 24, { impl });
    const threads = [
      startThread({ buffer, role: 'produce', producer: 0, producers: 2, count: PER_PRODUCER, batch: 8 }),
      startThread({ buffer, role: 'produce', producer: 1, producers: 2, count: PER_PRODUCER, batch: 1 }),
      startThread({ buffer, role: 'consume', producer: 0, producers: 2, count: 0, batch: 1 }),
    ];
    t.after(() => Promise.all(threads.map((th) => th.worker.terminate())));
    const producersDone = Promise.all(threads.slice(0, 2).map((th) => th.result)).then((rs) => {
      for (const r of rs) assert.deepEqual(r, { pushed: PER_PRODUCER, impl: 'ts', nativeAvailable: false });
      ring.close();
    });
    // consume here too, blocking and batched, until the ring is closed and drained
    const tally = new Tally(2, 24);
    for (let round = 0; ; round++) {
      try {
        if (round % 2) tally.add(await ring.pop());
        else for (const m of ring.popBatch(16)) tally.add(m);
      } catch (e) {
        if (e instanceof RingClosedError) break;
        throw e;
      }
    }
    await producersDone;
    const theirs = (await threads[2]!.result) as unknown as TallyReport & { impl: string };
    assert.equal(theirs.impl, 'ts');
    assert.equal(tally.report.count + theirs.count, 2 * PER_PRODUCER);
    assert.deepEqual(mergeTotals([tally.report, theirs], 2), expectedTotals(2, PER_PRODUCER));
  });
}

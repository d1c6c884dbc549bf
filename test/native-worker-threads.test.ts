// The addon in worker_threads: each worker has its own addon state; async
// and sync waits in a worker are woken from the main thread (through a
// SharedArrayBuffer and through a segment both mapped); workers that end
// (terminate or process.exit) with live mappings and pending waits leave the
// main thread working and the process intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { futexStats, futexWait, futexWake, nativeAvailable, shmCreate, shmName, shmUnlink, type Mapping } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const fixture = fileURLToPath(new URL('./fixtures/native-worker.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-native-workers-'));
let seg: { name: string; m: Mapping; v: Int32Array } | undefined;

test.before(() => {
  if (!nativeAvailable) return;
  const name = shmName();
  const m = shmCreate(name, 4096);
  seg = { name, m, v: new Int32Array(m.buffer) };
});
test.after(() => {
  if (seg) {
    shmUnlink(seg.name);
    seg.m.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

function start(role: string, sab: SharedArrayBuffer): { worker: Worker; message: Promise<Record<string, unknown>> } {
  const worker = new Worker(fixture, { workerData: { role, name: seg!.name, sab, file: path.join(dir, `${role}-${Math.random()}.bin`) } });
  const message = new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, message };
}

async function wakeUntilWoken(v: Int32Array, i: number): Promise<void> {
  const deadline = Date.now() + 15000;
  while (futexWake(v, i) === 0) {
    if (Date.now() > deadline) throw new Error('nobody slept on the word');
    await delay(2);
  }
}

test('async waits in a worker are woken from the main thread', { skip }, async () => {
  const sab = new SharedArrayBuffer(64);
  const s = new Int32Array(sab);
  const { worker, message } = start('wait', sab);
  try {
    assert.notEqual(await futexWait(s, 1, 0, 20), 'timed-out');
    await wakeUntilWoken(s, 0);
    Atomics.store(seg!.v, 8, 1);
    futexWake(seg!.v, 8);
    const msg = await message;
    assert.deepEqual(msg.results, ['ok', 'ok']);
    assert.deepEqual(msg.stats, { pending: 0, threads: 1 });
  } finally {
    await worker.terminate();
  }
});

test('a sync wait in a worker is woken from the main thread', { skip }, async () => {
  const sab = new SharedArrayBuffer(64);
  const s = new Int32Array(sab);
  const { worker, message } = start('wait-sync', sab);
  try {
    assert.notEqual(await futexWait(s, 1, 0, 20), 'timed-out');
    await wakeUntilWoken(s, 0);
    assert.deepEqual(await message, { result: 'ok' });
  } finally {
    await worker.terminate();
  }
});

test('terminating workers with live mappings and pending waits is clean, several at once', { skip }, async () => {
  const workers = Array.from({ length: 4 }, () => start('leave-pending', new SharedArrayBuffer(64)));
  for (const w of workers) assert.deepEqual(await w.message, { ready: true, pending: 3 });
  const codes = await Promise.all(workers.map((w) => w.worker.terminate()));
  assert.deepEqual(codes, [1, 1, 1, 1]);
  // the main thread's addon state is untouched
  assert.equal(futexStats().pending, 0);
  const p = futexWait(seg!.v, 20, 0, 5);
  Atomics.store(seg!.v, 20, 1);
  futexWake(seg!.v, 20);
  assert.equal(await p, 'ok');
});

test('a worker that calls process.exit with pending waits ends cleanly', { skip }, async () => {
  const sab = new SharedArrayBuffer(64);
  const worker = new Worker(
    `import('${new URL('./fixtures/native-worker.js', import.meta.url).href}').then(() => setTimeout(() => process.exit(3), 20));`,
    { eval: true, workerData: { role: 'leave-pending', name: seg!.name, sab, file: path.join(dir, 'exit.bin') } },
  );
  const code = await new Promise<number>((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  assert.equal(code, 3);
  assert.equal(futexStats().pending, 0);
});

// futexWait / futexWaitSync / futexWake on real memory: results (ok,
// not-equal, timed-out), wake counts, AbortSignal, spin-then-wait, words in a
// SharedArrayBuffer, wakes across two processes in both directions (the child
// maps the same segment by name), and argument validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  futexStats,
  futexWait,
  futexWaitSync,
  futexWake,
  nativeAvailable,
  shmCreate,
  shmName,
  shmUnlink,
  type Mapping,
} from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const child = fileURLToPath(new URL('./fixtures/native-child.js', import.meta.url));
const segments: Mapping[] = [];
test.after(() => {
  for (const m of segments) m.close();
  for (const f of readdirSync('/dev/shm').filter((n) => n.startsWith(`loom-${process.pid}-`))) shmUnlink(f);
});

function segment(bytes = 4096): { m: Mapping; v: Int32Array; name: string } {
  const name = shmName();
  const m = shmCreate(name, bytes);
  segments.push(m);
  return { m, v: new Int32Array(m.buffer), name };
}

/** Wakes view[index] until one sleeper was really asleep and got the wake. */
async function wakeOneSleeper(v: Int32Array, index: number): Promise<void> {
  const deadline = Date.now() + 15000;
  while (futexWake(v, index, 1) === 0) {
    if (Date.now() > deadline) throw new Error('nobody ever slept on the word');
    await delay(2);
  }
}

test('not-equal, timed-out and ok, sync and async', { skip }, async () => {
  const { v } = segment();
  assert.equal(futexWaitSync(v, 0, 1), 'not-equal');
  assert.equal(await futexWait(v, 0, 1), 'not-equal');
  assert.equal(futexWaitSync(v, 0, 0, 0), 'timed-out');
  assert.equal(await futexWait(v, 0, 0, 0), 'timed-out');
  let t0 = performance.now();
  assert.equal(futexWaitSync(v, 0, 0, 0.05), 'timed-out');
  assert.ok(performance.now() - t0 >= 45);
  t0 = performance.now();
  assert.equal(await futexWait(v, 0, 0, 0.05), 'timed-out');
  assert.ok(performance.now() - t0 >= 45);
  const p = futexWait(v, 0, 0, 10);
  Atomics.store(v, 0, 1);
  futexWake(v, 0);
  assert.equal(await p, 'ok');
  assert.equal(futexWake(v, 0), 0, 'nobody left to wake');
  assert.deepEqual(futexStats().pending, 0);
});

test('futexWake returns how many sleepers it woke; every sleeper wakes exactly once', { skip }, async () => {
  const { v } = segment();
  let settled = 0;
  const waits = [0, 1, 2].map(() => futexWait(v, 4, 0, 10).then((r) => (settled++, r)));
  let woken = 0;
  const deadline = Date.now() + 10000;
  while (settled < 3 && Date.now() < deadline) {
    woken += futexWake(v, 4);
    await delay(2);
  }
  assert.deepEqual(await Promise.all(waits), ['ok', 'ok', 'ok']);
  assert.equal(woken, 3);
});

test('two wake(1) calls in a row on a word with two sleepers lose neither', { skip }, async () => {
  const { v } = segment();
  const waits = [futexWait(v, 5, 0, 10), futexWait(v, 5, 0, 10)];
  await delay(30);
  futexWake(v, 5, 1);
  futexWake(v, 5, 1);
  // a wake the kernel handed to an entry that was not reported must not be lost
  assert.deepEqual(await Promise.all(waits), ['ok', 'ok']);
});

test('an AbortSignal cancels an async wait', { skip }, async () => {
  const { v } = segment();
  const ac = new AbortController();
  const p = futexWait(v, 0, 0, undefined, { signal: ac.signal });
  assert.equal(futexStats().pending, 1);
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  assert.equal(futexStats().pending, 0);
  await assert.rejects(futexWait(v, 0, 0, undefined, { signal: ac.signal }), { name: 'AbortError' });
});

test('spin-then-wait: times out like a plain wait, and sees a change', { skip }, async () => {
  const { v } = segment();
  let t0 = performance.now();
  assert.equal(futexWaitSync(v, 0, 0, 0.03, { spin: 100 }), 'timed-out');
  assert.ok(performance.now() - t0 >= 25);
  t0 = performance.now();
  assert.equal(await futexWait(v, 0, 0, 0.03, { spin: 100 }), 'timed-out');
  assert.ok(performance.now() - t0 >= 25);
  Atomics.store(v, 0, 7);
  assert.equal(futexWaitSync(v, 0, 0, 1, { spin: 10 }), 'not-equal');
});

test('words in a SharedArrayBuffer work in-process', { skip }, async () => {
  const v = new Int32Array(new SharedArrayBuffer(64));
  const p = futexWait(v, 3, 0, 10);
  await wakeOneSleeper(v, 3);
  assert.equal(await p, 'ok');
  assert.equal(futexWaitSync(v, 3, 1), 'not-equal');
});

async function crossProcess(role: 'wait' | 'wait-sync'): Promise<void> {
  const { v, name } = segment();
  // The child wakes word 2 once it was woken: our wait is pending before it starts.
  const back = futexWait(v, 2, 0, 30);
  const proc = spawn(process.execPath, [child, role, name], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  proc.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  try {
    // child -> parent: it sets word 1 and wakes it once it has mapped the segment
    assert.notEqual(await futexWait(v, 1, 0, 30), 'timed-out', err);
    shmUnlink(name); // everyone has mapped it: the name can go
    // parent -> child: word 0 never changes, so only a real wake can end its wait
    await wakeOneSleeper(v, 0);
    assert.equal(await back, 'ok');
    assert.equal(await exited, 0, err);
    assert.deepEqual(JSON.parse(out).result, 'ok');
  } finally {
    if (proc.exitCode === null) proc.kill();
  }
}

test('a wake crosses processes both ways (the child waits async)', { skip }, () => crossProcess('wait'));
test('a wake crosses processes both ways (the child waits sync)', { skip }, () => crossProcess('wait-sync'));

test('bad arguments are TypeError / RangeError naming the argument', { skip }, async () => {
  const { v, m } = segment();
  await assert.rejects(futexWait(new Uint32Array(m.buffer) as unknown as Int32Array, 0, 0), { name: 'TypeError', message: /view must be an Int32Array/ });
  assert.throws(() => futexWaitSync(new Float64Array(4) as unknown as Int32Array, 0, 0), { name: 'TypeError', message: /view/ });
  assert.throws(() => futexWake(v, 1024), { name: 'RangeError', message: /index 1024 is out of range/ });
  assert.throws(() => futexWake(v, -1), { name: 'RangeError', message: /index/ });
  assert.throws(() => futexWake(v, 0.5), { name: 'TypeError', message: /index must be an integer/ });
  assert.throws(() => futexWake(v, 0, -1), { name: 'RangeError', message: /count/ });
  await assert.rejects(futexWait(v, 0, 0, -1), { name: 'RangeError', message: /timeoutSeconds/ });
  await assert.rejects(futexWait(v, 0, 0, Number.NaN), { name: 'RangeError', message: /timeoutSeconds/ });
  await assert.rejects(futexWait(v, 0, Number.NaN), { name: 'TypeError', message: /expected/ });
  assert.throws(() => futexWaitSync(v, 0, 0, 1, { spin: -5 }), { name: 'RangeError', message: /options.spin/ });
  assert.throws(() => futexWaitSync(new Int32Array(8), 0, 1), { name: 'TypeError', message: /SharedArrayBuffer or over the buffer of a loom Mapping/ });
  const closed = segment().m;
  const cv = new Int32Array(closed.buffer);
  closed.close();
  assert.throws(() => futexWake(cv, 0), { name: 'RangeError', message: /closed mapping/ });
});

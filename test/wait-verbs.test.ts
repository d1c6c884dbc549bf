// The free verbs dispatch on the protocol symbols: wait on a ChildProcess,
// anything implementing the protocol, and clear TypeErrors for the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Channel, Condition, Task, TimeoutError, close, fetch, isready, put, schedule, take, wait } from '../lib/index.js';
import { kClose, kFetch, kIsReady, kPut, kTake, kWait, type WaitOptions } from '../lib/tasks/index.js';

test('wait(childProcess) resolves with its exit code', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(3), 20)']);
  assert.equal(await wait(child), 3);
  // Already exited: resolves at once with the same code.
  assert.equal(await wait(child), 3);
  const ok = spawn(process.execPath, ['-e', '']);
  assert.equal(await wait(ok), 0);
});

test('wait(childProcess) killed by a signal resolves null; it takes a timeout', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  try {
    await assert.rejects(wait(child, { timeout: 0.05 }), TimeoutError);
    child.kill('SIGTERM');
    assert.equal(await wait(child), null);
    assert.equal(child.signalCode, 'SIGTERM');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('wait on a process that could not start rejects with the spawn error', async () => {
  const child = spawn('/nonexistent/loom-no-such-binary');
  await assert.rejects(wait(child), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT');
});

test('the verbs dispatch to any object implementing the protocol symbols', async () => {
  const calls: string[] = [];
  const box = {
    value: 0,
    [kWait]: (o?: WaitOptions) => (calls.push(`wait ${o?.timeout}`), Promise.resolve('waited')),
    [kFetch]: () => (calls.push('fetch'), Promise.resolve(box.value)),
    [kIsReady]: () => true,
    [kPut]: (v: number) => (calls.push(`put ${v}`), (box.value = v), Promise.resolve()),
    [kTake]: () => (calls.push('take'), Promise.resolve(box.value)),
    [kClose]: () => void calls.push('close'),
  };
  assert.equal(await wait(box, { timeout: 1 }), 'waited');
  await put(box, 5);
  assert.equal(await fetch(box), 5);
  assert.equal(await take(box), 5);
  assert.equal(isready(box), true);
  close(box);
  assert.deepEqual(calls, ['wait 1', 'put 5', 'fetch', 'take', 'close']);
});

test('wait works on Task, Condition and Channel alike', async () => {
  const c = new Condition<string>();
  const ch = new Channel<number>(1);
  const t = schedule(() => 'task result');
  const pc = wait(c);
  const pch = wait(ch);
  c.notify('notified');
  await ch.put(1);
  assert.deepEqual(await Promise.all([wait(t), pc, pch]), ['task result', 'notified', undefined]);
  assert.ok(t instanceof Task);
});

test('waiting on something unwaitable is a TypeError naming it', async () => {
  await assert.rejects(wait(42 as never), (e: unknown) => e instanceof TypeError && /wait: cannot wait on number 42/.test(e.message));
  await assert.rejects(wait({} as never), /cannot wait on an object of type Object/);
  await assert.rejects(wait(undefined as never), TypeError);
  await assert.rejects(fetch(null as never), /fetch: cannot fetch from null/);
  await assert.rejects(put('s' as never, 1), /put: cannot put into/);
  await assert.rejects(take([] as never), /take: cannot take from an object of type Array/);
  assert.throws(() => isready(1 as never), /isready: cannot ask/);
  assert.throws(() => close({} as never), /close: cannot close/);
});

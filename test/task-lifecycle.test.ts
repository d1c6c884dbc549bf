// Task life cycle: created -> scheduled -> running -> done | failed, what wait
// and fetch give, and the errors of scheduling twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InvalidStateException,
  Task,
  TimeoutError,
  currentTask,
  fetch,
  isready,
  istaskdone,
  istaskfailed,
  istaskstarted,
  schedule,
  task,
  wait,
  yieldNow,
} from '../lib/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('new Task and task() create without running; schedule runs it on the event loop', async () => {
  let ran = 0;
  const t = new Task(() => ++ran);
  const u = task(() => 'u');
  await yieldNow();
  assert.equal(ran, 0);
  assert.equal(t.state, 'created');
  assert.equal(istaskstarted(t), false);
  assert.equal(istaskstarted(u), false);
  assert.equal(schedule(t), t);
  // Scheduling queues it; the function runs only when the scheduler (event loop) gets control.
  assert.equal(t.state, 'scheduled');
  assert.equal(istaskstarted(t), false);
  assert.equal(ran, 0);
  assert.equal(await wait(t), 1);
  assert.equal(istaskstarted(t), true);
  assert.equal(istaskdone(t), true);
  assert.equal(t.state, 'done');
  assert.equal(t.result, 1);
});

test('istaskstarted and istaskdone change at the right moments of an async task', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t = schedule(async () => {
    await gate;
    return 'fin';
  });
  assert.deepEqual([istaskstarted(t), istaskdone(t)], [false, false]);
  await yieldNow();
  assert.deepEqual([istaskstarted(t), istaskdone(t)], [true, false]);
  assert.equal(t.state, 'running');
  assert.equal(isready(t), false);
  release();
  assert.equal(await fetch(t), 'fin');
  assert.deepEqual([istaskstarted(t), istaskdone(t), istaskfailed(t)], [true, true, false]);
  assert.equal(isready(t), true);
});

test('schedule(fn) is @schedule: wraps fn in a Task and schedules it', async () => {
  const t = schedule(() => 42);
  assert.ok(t instanceof Task);
  assert.equal(await wait(t), 42);
});

test('a failed task keeps its error; wait and fetch rethrow the same error, with the task stack', async () => {
  async function failingBody(): Promise<never> {
    await yieldNow();
    throw new RangeError('boom in task');
  }
  const t = schedule(new Task(failingBody));
  const e1 = await wait(t).then(
    () => assert.fail('should reject'),
    (e: unknown) => e,
  );
  const e2 = await fetch(t).catch((e: unknown) => e);
  assert.ok(e1 instanceof RangeError);
  assert.equal(e1, e2);
  assert.equal(t.exception, e1);
  assert.match((e1 as Error).stack ?? '', /failingBody/);
  assert.equal(t.state, 'failed');
  assert.equal(istaskfailed(t), true);
  assert.equal(istaskdone(t), true);
});

test('a synchronously throwing task body fails the task, it does not throw from schedule', async () => {
  const t = schedule(() => {
    throw new Error('sync throw');
  });
  await assert.rejects(wait(t), /sync throw/);
});

test('a failed task nobody waits on never crashes the process (real child process)', () => {
  const script = `
    import { schedule, asyncTask, sleep, Task } from 'loom';
    process.on('unhandledRejection', (e) => { console.log('UNHANDLED', e?.message); process.exitCode = 7; });
    schedule(() => { throw new Error('ignored 1'); });
    asyncTask(async () => { await sleep(0.001); throw new Error('ignored 2'); });
    const t = new Task(() => { throw new Error('kept'); });
    schedule(t);
    await sleep(0.05);
    console.log('alive', t.state, t.exception.message);
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(out.trim(), 'alive failed kept');
});

test('scheduling a task that is already scheduled, running or done throws InvalidStateException', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t = new Task(() => gate);
  schedule(t);
  assert.throws(() => schedule(t), (e: unknown) => e instanceof InvalidStateException && e.state === 'scheduled');
  await yieldNow();
  assert.throws(() => schedule(t), (e: unknown) => e instanceof InvalidStateException && e.state === 'running' && /already running/.test(e.message));
  release();
  await wait(t);
  assert.throws(() => schedule(t), (e: unknown) => e instanceof InvalidStateException && e.state === 'done');
});

test('schedule(t, val) resumes a task parked in wait() with val; { error: true } raises val in it', async () => {
  const got: unknown[] = [];
  const t = schedule(async () => {
    got.push(await wait());
    try {
      await wait();
    } catch (e) {
      got.push(e);
    }
    return 'end';
  });
  await yieldNow();
  assert.equal(t.state, 'waiting');
  schedule(t, 'hello');
  assert.equal(t.state, 'running');
  await yieldNow();
  assert.equal(t.state, 'waiting');
  const err = new Error('delivered');
  schedule(t, err, { error: true });
  assert.equal(await wait(t), 'end');
  assert.deepEqual(got, ['hello', err]);
});

test('schedule(t, err, { error: true }) on a task not yet started fails it without running its body', async () => {
  let ran = false;
  const t = new Task(() => {
    ran = true;
  });
  const err = new Error('before start');
  schedule(t, err, { error: true });
  await assert.rejects(wait(t), (e: unknown) => e === err);
  assert.equal(ran, false);
});

test('wait and fetch on a task take a timeout and an AbortSignal', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t = schedule(async () => {
    await gate;
    return 5;
  });
  await assert.rejects(wait(t, { timeout: 0.02 }), (e: unknown) => e instanceof TimeoutError && e.code === 'ETIMEDOUT');
  const ac = new AbortController();
  const p = fetch(t, { signal: ac.signal });
  ac.abort(new Error('stop waiting'));
  await assert.rejects(p, /stop waiting/);
  release();
  assert.equal(await wait(t, { timeout: 5 }), 5);
});

test('bad arguments: a non-function body, a non-task, bad options', async () => {
  assert.throws(() => new Task(42 as unknown as () => void), (e: unknown) => e instanceof TypeError && /fn must be a function/.test(e.message));
  assert.throws(() => task('x' as unknown as () => void), TypeError);
  assert.throws(() => schedule({} as unknown as Task), (e: unknown) => e instanceof TypeError && /schedule: expected a Task/.test(e.message));
  assert.throws(() => istaskdone(null as unknown as Task), TypeError);
  const t = new Task(() => 1);
  await assert.rejects(wait(t, { timeout: -1 }), (e: unknown) => e instanceof RangeError && /options\.timeout/.test(e.message));
  await assert.rejects(wait(t, { signal: 'x' as unknown as AbortSignal }), (e: unknown) => e instanceof TypeError && /options\.signal/.test(e.message));
});

test('a task waiting for itself is a deadlock error, not a hang', async () => {
  const t = schedule(async () => {
    await yieldNow();
    return wait(currentTask());
  });
  await assert.rejects(wait(t), (e: unknown) => e instanceof InvalidStateException && /deadlock/.test(e.message));
});

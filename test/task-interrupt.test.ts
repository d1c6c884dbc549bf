// schedule(t, err, { error: true }) raises err in a task blocked in any loom
// wait, and removes it from that wait so nothing is lost or counted twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Channel,
  CompositeException,
  Condition,
  InvalidStateException,
  ReentrantLock,
  Task,
  asyncTask,
  lock,
  schedule,
  sleep,
  sync,
  unlock,
  wait,
  yieldNow,
} from '../lib/index.js';

class Interrupt extends Error {
  override name = 'Interrupt';
}

test('a task blocked on a Condition gets the error and leaves the queue', async () => {
  const c = new Condition<number>();
  const t = schedule(async () => {
    try {
      await c.wait();
      return 'woken';
    } catch (e) {
      return e;
    }
  });
  await yieldNow();
  assert.equal(c.waiting, 1);
  const err = new Interrupt('stop');
  schedule(t, err, { error: true });
  assert.equal(await wait(t), err);
  assert.equal(c.waiting, 0);
  assert.equal(c.notify(1), 0);
});

test('a task blocked in take is interrupted; a later put is buffered, not lost', async () => {
  const ch = new Channel<number>(2);
  const t = schedule(() => ch.take());
  await yieldNow();
  schedule(t, new Interrupt('no more'), { error: true });
  await assert.rejects(wait(t), /no more/);
  await ch.put(5);
  assert.equal(ch.length, 1);
  assert.equal(await ch.take(), 5);
});

test('a sleeping task is interrupted at once', async () => {
  const t0 = performance.now();
  const t = schedule(() => sleep(30));
  await yieldNow();
  schedule(t, new Interrupt('wake up'), { error: true });
  await assert.rejects(wait(t), /wake up/);
  assert.ok(performance.now() - t0 < 5000);
});

test('every wait of a task blocked under Promise.all is rejected', async () => {
  const a = new Channel<number>();
  const b = new Condition();
  const t = schedule(() => Promise.allSettled([a.take(), b.wait(), sleep(30)]));
  await yieldNow();
  const err = new Interrupt('all of them');
  schedule(t, err, { error: true });
  const results = (await wait(t)) as PromiseSettledResult<unknown>[];
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.equal(b.waiting, 0);
});

test('a task waiting for a lock is interrupted and the lock goes to the next waiter', async () => {
  const l = new ReentrantLock();
  await lock(l);
  const order: string[] = [];
  const first = schedule(async () => {
    await lock(l);
    order.push('first');
    unlock(l);
  });
  const second = schedule(async () => {
    await lock(l);
    order.push('second');
    unlock(l);
  });
  await yieldNow();
  schedule(first, new Interrupt('skip'), { error: true });
  unlock(l);
  await assert.rejects(wait(first), /skip/);
  await wait(second);
  assert.deepEqual(order, ['second']);
  assert.equal(l.locked, false);
});

test('a task awaiting something that is not a loom wait cannot be interrupted: schedule throws', async () => {
  let release!: () => void;
  const t = schedule(() => new Promise<void>((r) => (release = r)));
  await yieldNow();
  assert.throws(() => schedule(t, new Error('x'), { error: true }), (e: unknown) => e instanceof InvalidStateException && e.state === 'running');
  release();
  await wait(t);
});

test('once its wait settled normally, the task is no longer interruptible there', async () => {
  const c = new Condition<string>();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t = schedule(async () => {
    const v = await c.wait();
    await gate; // not a loom wait
    return v;
  });
  await yieldNow();
  c.notify('ok');
  await yieldNow();
  assert.throws(() => schedule(t, new Error('late'), { error: true }), InvalidStateException);
  // schedule(t, val) without error never wakes a task blocked in a loom wait.
  release();
  assert.equal(await wait(t), 'ok');
  const blocked = schedule(() => c.wait());
  await yieldNow();
  assert.throws(() => schedule(blocked, 'a value'), /already running/);
  c.notify('done');
  await wait(blocked);
  assert.ok(blocked instanceof Task);
});

test("interrupting a task cancels only its own waits, not sync's tracking of the tasks it started", async () => {
  const c = new Condition();
  const childDone: string[] = [];
  let parent!: Task<unknown>;
  const result = sync(async () => {
    parent = asyncTask(async () => {
      asyncTask(async () => {
        await sleep(0.02);
        childDone.push('child finished');
      });
      await c.wait(); // interrupted below
    });
  });
  await sleep(0.005);
  schedule(parent, new Interrupt('parent only'), { error: true });
  const err = await result.catch((e: unknown) => e);
  assert.ok(err instanceof CompositeException);
  assert.deepEqual(err.exceptions.map((e) => e.message), ['parent only']);
  assert.deepEqual(childDone, ['child finished']);
});

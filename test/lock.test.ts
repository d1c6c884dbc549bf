// ReentrantLock: per-task counting, FIFO hand-over, owner checks, withLock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidStateException,
  ReentrantLock,
  TimeoutError,
  currentTask,
  islocked,
  lock,
  schedule,
  sleep,
  trylock,
  unlock,
  wait,
  withLock,
  yieldNow,
} from '../lib/index.js';

test('the same task may lock again and must unlock as often', async () => {
  const l = new ReentrantLock();
  await lock(l);
  await lock(l);
  assert.equal(l.count, 2);
  assert.equal(l.owner, currentTask());
  unlock(l);
  assert.equal(islocked(l), true);
  unlock(l);
  assert.equal(islocked(l), false);
  assert.equal(l.owner, undefined);
});

test('another task waits until the owner has unlocked every level', async () => {
  const l = new ReentrantLock();
  const log: string[] = [];
  const owner = schedule(async () => {
    await lock(l);
    await lock(l);
    log.push('owner locked twice');
    await sleep(0.01);
    unlock(l);
    log.push('owner unlocked once');
    await sleep(0.01);
    log.push('owner unlocks last');
    unlock(l);
  });
  await yieldNow();
  const other = schedule(async () => {
    await lock(l);
    log.push('other got it');
    unlock(l);
  });
  await Promise.all([wait(owner), wait(other)]);
  assert.deepEqual(log, ['owner locked twice', 'owner unlocked once', 'owner unlocks last', 'other got it']);
});

test('waiters get the lock in FIFO order, handed over directly', async () => {
  const l = new ReentrantLock();
  const order: number[] = [];
  await lock(l);
  const ts = [1, 2, 3].map((i) =>
    schedule(async () => {
      await lock(l);
      order.push(i);
      await yieldNow();
      unlock(l);
    }),
  );
  await yieldNow();
  unlock(l);
  // Nobody can barge in between: the lock already belongs to the first waiter.
  assert.equal(trylock(l), false);
  await Promise.all(ts.map((t) => wait(t)));
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(islocked(l), false);
});

test('unlocking a lock you do not hold is an error; so is unlocking an unlocked lock', async () => {
  const l = new ReentrantLock();
  assert.throws(() => unlock(l), (e: unknown) => e instanceof InvalidStateException && e.state === 'unlocked');
  const holder = schedule(async () => {
    await lock(l);
    await sleep(0.02);
    unlock(l);
  });
  await yieldNow();
  assert.throws(() => unlock(l), (e: unknown) => e instanceof InvalidStateException && e.state === 'not_owner' && /held by Task/.test(e.message));
  await wait(holder);
});

test('withLock always releases: on return, on throw, on rejection', async () => {
  const l = new ReentrantLock();
  assert.equal(await withLock(l, () => 'value'), 'value');
  assert.equal(islocked(l), false);
  await assert.rejects(
    withLock(l, () => {
      throw new Error('sync throw');
    }),
    /sync throw/,
  );
  assert.equal(islocked(l), false);
  await assert.rejects(
    withLock(l, async () => {
      await yieldNow();
      assert.equal(l.count, 1);
      throw new Error('async reject');
    }),
    /async reject/,
  );
  assert.equal(islocked(l), false);
  // Nested withLock in the same task re-enters.
  assert.equal(await withLock(l, () => withLock(l, () => l.count)), 2);
  assert.equal(islocked(l), false);
});

test('withLock excludes between tasks', async () => {
  const l = new ReentrantLock();
  let inside = 0;
  let maxInside = 0;
  const ts = Array.from({ length: 5 }, () =>
    schedule(() =>
      withLock(l, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(0.001);
        inside--;
      }),
    ),
  );
  await Promise.all(ts.map((t) => wait(t)));
  assert.equal(maxInside, 1);
});

test('trylock, lock with a timeout, bad arguments', async () => {
  const l = new ReentrantLock();
  const holder = schedule(async () => {
    await lock(l);
    await sleep(0.05);
    unlock(l);
  });
  await yieldNow();
  assert.equal(trylock(l), false);
  await assert.rejects(lock(l, { timeout: 0.005 }), TimeoutError);
  await lock(l, { timeout: 5 }); // the timed-out waiter left the queue; this one gets the hand-over
  assert.equal(l.owner, currentTask());
  assert.equal(trylock(l), true);
  unlock(l);
  unlock(l);
  await wait(holder);
  assert.throws(() => lock({} as ReentrantLock), /lock: expected a ReentrantLock/);
  await assert.rejects(withLock(l, 'x' as unknown as () => void), /fn must be a function/);
});

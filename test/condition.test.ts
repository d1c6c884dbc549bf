// Condition: edge-triggered, FIFO, notify counts, errors to exactly the woken waiters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Condition, TimeoutError, notify, schedule, wait, yieldNow } from '../lib/index.js';

/** Settles p into a tagged record without throwing, to inspect order later. */
function settle<T>(p: Promise<T>, log: unknown[], name: string): Promise<void> {
  return p.then(
    (v) => void log.push([name, 'ok', v]),
    (e: unknown) => void log.push([name, 'err', (e as Error).message]),
  );
}

test('edge-triggered: a notify with nobody waiting is lost and returns 0', async () => {
  const c = new Condition<string>();
  assert.equal(notify(c, 'lost'), 0);
  const log: unknown[] = [];
  const p = settle(c.wait(), log, 'late');
  await yieldNow();
  assert.deepEqual(log, [], 'a later waiter must not see an earlier notify');
  assert.equal(notify(c, 'now'), 1);
  await p;
  assert.deepEqual(log, [['late', 'ok', 'now']]);
});

test('only tasks waiting at the time of notify wake; those that wait afterwards keep waiting', async () => {
  const c = new Condition<number>();
  const log: unknown[] = [];
  const early = [settle(c.wait(), log, 'w1'), settle(wait(c), log, 'w2')];
  assert.equal(c.notify(1), 2);
  const late = settle(c.wait(), log, 'w3');
  await Promise.all(early);
  await yieldNow();
  assert.deepEqual(log, [['w1', 'ok', 1], ['w2', 'ok', 1]]);
  assert.equal(c.waiting, 1);
  assert.equal(c.notify(2), 1);
  await late;
  assert.deepEqual(log.at(-1), ['w3', 'ok', 2]);
});

test('all: false wakes one waiter at a time, in FIFO order', async () => {
  const c = new Condition<string>();
  const order: string[] = [];
  const tasks = ['a', 'b', 'c'].map((name) =>
    schedule(async () => {
      order.push(`${name} waits`);
      const v = await wait(c);
      order.push(`${name} got ${v}`);
    }),
  );
  await yieldNow();
  assert.equal(c.waiting, 3);
  assert.equal(notify(c, 'x', { all: false }), 1);
  await yieldNow();
  assert.equal(notify(c, 'y', { all: false }), 1);
  await yieldNow();
  assert.equal(notify(c, 'z', { all: false }), 1);
  await Promise.all(tasks.map((t) => wait(t)));
  assert.deepEqual(order, ['a waits', 'b waits', 'c waits', 'a got x', 'b got y', 'c got z']);
  assert.equal(notify(c, 'none', { all: false }), 0);
});

test('error: true delivers the value as an exception to exactly the woken waiters', async () => {
  const c = new Condition<unknown>();
  const log: unknown[] = [];
  const ps = [settle(c.wait(), log, 'first'), settle(c.wait(), log, 'second'), settle(c.wait(), log, 'third')];
  assert.equal(c.notify(new Error('only the first'), { all: false, error: true }), 1);
  await ps[0];
  await yieldNow();
  assert.deepEqual(log, [['first', 'err', 'only the first']]);
  assert.equal(c.notify(new Error('everyone left'), { error: true }), 2);
  await Promise.all(ps);
  assert.deepEqual(log, [
    ['first', 'err', 'only the first'],
    ['second', 'err', 'everyone left'],
    ['third', 'err', 'everyone left'],
  ]);
});

test('a waiter that timed out or was aborted leaves the queue and is not counted by notify', async () => {
  const c = new Condition<number>();
  const log: unknown[] = [];
  const ac = new AbortController();
  const timed = c.wait({ timeout: 0.01 });
  const aborted = settle(c.wait({ signal: ac.signal }), log, 'aborted');
  const stays = settle(c.wait(), log, 'stays');
  await assert.rejects(timed, TimeoutError);
  ac.abort(new Error('aborted by signal'));
  await aborted;
  assert.equal(c.waiting, 1);
  assert.equal(c.notify(7), 1);
  await stays;
  assert.deepEqual(log, [['aborted', 'err', 'aborted by signal'], ['stays', 'ok', 7]]);
});

test('bad arguments to notify are TypeErrors', () => {
  assert.throws(() => notify({} as Condition, 1), /notify: expected a Condition/);
  assert.throws(() => new Condition().notify(1, 'all' as unknown as { all: boolean }), TypeError);
});

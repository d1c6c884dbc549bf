// currentTask and taskLocalStorage in its three forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Task, currentTask, schedule, sleep, taskLocalStorage, wait, yieldNow } from '../lib/index.js';

test('currentTask works in the root and inside tasks, through awaits', async () => {
  const root = currentTask();
  assert.ok(root instanceof Task);
  assert.equal(root.id, 0);
  assert.equal(root.started, true);
  assert.equal(root.done, false);
  let inside: Task | undefined;
  let afterAwait: Task | undefined;
  const t = schedule(async () => {
    inside = currentTask();
    await sleep(0.001);
    afterAwait = currentTask();
  });
  await wait(t);
  assert.equal(inside, t);
  assert.equal(afterAwait, t);
  assert.equal(currentTask(), root);
});

test('get and set: each task has its own storage', async () => {
  const key = Symbol('k');
  assert.equal(taskLocalStorage(key, 'root value'), 'root value');
  const seen: unknown[] = [];
  const t1 = schedule(async () => {
    seen.push(taskLocalStorage(key));
    taskLocalStorage(key, 't1');
    await yieldNow();
    seen.push(taskLocalStorage(key));
  });
  const t2 = schedule(async () => {
    taskLocalStorage(key, 't2');
    await yieldNow();
    seen.push(taskLocalStorage(key));
  });
  await Promise.all([wait(t1), wait(t2)]);
  assert.deepEqual(seen.sort(), ['t1', 't2', undefined].sort());
  assert.equal(taskLocalStorage(key), 'root value');
  assert.equal(currentTask().storage.get(key), 'root value');
  currentTask().storage.delete(key);
});

test('scoped form restores the previous value after a sync body, even when it throws', () => {
  const key = 'scoped-sync';
  taskLocalStorage(key, 'outer');
  assert.equal(
    taskLocalStorage(() => taskLocalStorage(key), key, 'inner'),
    'inner',
  );
  assert.equal(taskLocalStorage(key), 'outer');
  assert.throws(() =>
    taskLocalStorage(
      () => {
        throw new Error('body threw');
      },
      key,
      'inner2',
    ),
  /body threw/);
  assert.equal(taskLocalStorage(key), 'outer');
  currentTask().storage.delete(key);
});

test('scoped form restores absence, and waits for an async body (also when it rejects)', async () => {
  const key = Symbol('scoped-async');
  const t = schedule(async () => {
    assert.equal(currentTask().storage.has(key), false);
    const v = await taskLocalStorage(
      async () => {
        await sleep(0.001);
        return taskLocalStorage(key);
      },
      key,
      'during',
    );
    assert.equal(v, 'during');
    assert.equal(currentTask().storage.has(key), false);
    await assert.rejects(
      taskLocalStorage(
        async () => {
          await yieldNow();
          assert.equal(taskLocalStorage(key), 'during2');
          throw new Error('async body failed');
        },
        key,
        'during2',
      ),
      /async body failed/,
    );
    assert.equal(currentTask().storage.has(key), false);
    return 'ok';
  });
  assert.equal(await wait(t), 'ok');
});

test('taskLocalStorage with a wrong number of arguments or a non-function body is a TypeError', () => {
  assert.throws(() => (taskLocalStorage as (...a: unknown[]) => unknown)(), TypeError);
  assert.throws(() => (taskLocalStorage as (...a: unknown[]) => unknown)(1, 2, 3, 4), TypeError);
  assert.throws(() => (taskLocalStorage as (...a: unknown[]) => unknown)('notfn', 'k', 'v'), /body must be a function/);
});

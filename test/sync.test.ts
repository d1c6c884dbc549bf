// sync / asyncTask / trackInSync: waiting over the dynamic extent, errors
// gathered into one CompositeException.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompositeException, Task, asyncTask, schedule, sleep, sync, wait } from '../lib/index.js';
import { inSync, trackInSync } from '../lib/tasks/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('sync waits for every asyncTask started inside it, and returns the body value', async () => {
  const done: number[] = [];
  const v = await sync(() => {
    for (let i = 0; i < 3; i++) {
      asyncTask(async () => {
        await sleep(0.005 * (3 - i));
        done.push(i);
      });
    }
    return 'body value';
  });
  assert.equal(v, 'body value');
  assert.deepEqual(done.sort(), [0, 1, 2]);
});

test('work started deep in the dynamic extent counts: nested tasks, helpers in other functions, after awaits', async () => {
  const finished: string[] = [];
  function helperStartingWork(name: string): void {
    asyncTask(async () => {
      await sleep(0.01);
      finished.push(name);
    });
  }
  await sync(async () => {
    asyncTask(async () => {
      await sleep(0.005);
      // started by a task, after an await, through another function
      helperStartingWork('grandchild');
      asyncTask(async () => {
        await sleep(0.002);
        asyncTask(() => void finished.push('great-grandchild'));
      });
    });
    await sleep(0.001);
    helperStartingWork('after body await');
    // a plain Task scheduled inside a sync task is not tracked, but asyncTask inside it is
    schedule(new Task(() => helperStartingWork('inside plain task')));
  });
  assert.deepEqual(finished.sort(), ['after body await', 'grandchild', 'great-grandchild', 'inside plain task']);
});

test('all errors come back together as one CompositeException listing each, in start order', async () => {
  const err = await sync(async () => {
    asyncTask(async () => {
      await sleep(0.01);
      throw new Error('slow failure');
    });
    asyncTask(() => {
      throw new TypeError('fast failure');
    });
    asyncTask(() => 'fine');
    asyncTask(async () => {
      await sleep(0.002);
      asyncTask(() => {
        throw new RangeError('nested failure');
      });
    });
  }).then(
    () => assert.fail('sync should reject'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CompositeException);
  assert.deepEqual(
    err.exceptions.map((e) => `${e.name}: ${e.message}`),
    ['Error: slow failure', 'TypeError: fast failure', 'RangeError: nested failure'],
  );
  assert.match(err.message, /^Error: slow failure \.\.\.and 2 other exceptions$/);
});

test("the body's own error is listed first, after the started work has finished", async () => {
  let finished = false;
  const err = await sync(async () => {
    asyncTask(async () => {
      await sleep(0.01);
      finished = true;
    });
    throw new Error('body failed');
  }).catch((e: unknown) => e);
  assert.ok(err instanceof CompositeException);
  assert.equal(finished, true);
  assert.deepEqual(err.exceptions.map((e) => e.message), ['body failed']);
});

test('nested sync: the inner one waits for its own work; the outer one for everything', async () => {
  const log: string[] = [];
  await sync(async () => {
    asyncTask(async () => {
      await sleep(0.02);
      log.push('outer work');
    });
    await sync(() => {
      asyncTask(async () => {
        await sleep(0.005);
        log.push('inner work');
      });
    });
    log.push('inner sync returned');
  });
  log.push('outer sync returned');
  assert.deepEqual(log, ['inner work', 'inner sync returned', 'outer work', 'outer sync returned']);
});

test('trackInSync registers any promise with the innermost sync; outside sync it is a no-op', async () => {
  assert.equal(inSync(), false);
  trackInSync(Promise.resolve()); // no-op, no frame
  let settled = false;
  const err = await sync(() => {
    assert.equal(inSync(), true);
    trackInSync(sleep(0.01).then(() => (settled = true)));
    trackInSync(Promise.reject(new Error('remote failure')));
  }).catch((e: unknown) => e);
  assert.equal(settled, true);
  assert.ok(err instanceof CompositeException);
  assert.equal(err.exceptions[0]?.message, 'remote failure');
});

test('asyncTask outside any sync just runs; its failure is kept on the task', async () => {
  const t = asyncTask(() => 3);
  assert.equal(await wait(t), 3);
  const bad = asyncTask(() => {
    throw new Error('kept');
  });
  await assert.rejects(wait(bad), /kept/);
  assert.throws(() => asyncTask(1 as unknown as () => void), TypeError);
  await assert.rejects(sync(null as unknown as () => void), /sync: fn must be a function/);
});

test('a failing asyncTask inside sync produces no unhandled rejection (real child process)', () => {
  const script = `
    import { sync, asyncTask } from 'loom';
    process.on('unhandledRejection', (e) => { console.log('UNHANDLED', e?.message); process.exitCode = 7; });
    try { await sync(() => { asyncTask(() => { throw new Error('x'); }); }); } catch (e) { console.log(e.name, e.exceptions.length); }
    await new Promise((r) => setTimeout(r, 20));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(out.trim(), 'CompositeException 1');
});

test('trackInSync(fn) calls fn at once inside a sync and never outside one', async () => {
  let calls = 0;
  trackInSync(() => {
    calls++;
    return Promise.resolve();
  });
  assert.equal(calls, 0);
  let done = false;
  await sync(() => {
    trackInSync(() => {
      calls++;
      return sleep(0.01).then(() => (done = true));
    });
    assert.equal(calls, 1);
  });
  assert.equal(done, true);
});

test('work started from the extent of a sync that has already returned is no longer its own', async () => {
  let late: ReturnType<typeof asyncTask> | undefined;
  let tracked: boolean | undefined;
  await sync(() => {
    setTimeout(() => {
      tracked = inSync();
      late = asyncTask(() => {
        throw new Error('after sync');
      });
    }, 10);
  });
  await sleep(0.03);
  assert.equal(tracked, false);
  await assert.rejects(wait(late!), /after sync/);
});

test('late work from a finished inner sync goes to the enclosing sync that is still running', async () => {
  const log: string[] = [];
  await sync(async () => {
    await sync(() => {
      setTimeout(() => {
        asyncTask(async () => {
          await sleep(0.01);
          log.push('late work done');
        });
      }, 5);
    });
    log.push('inner returned');
    await sleep(0.008); // the timer fires in here, inside the outer sync
  });
  log.push('outer returned');
  assert.deepEqual(log, ['inner returned', 'late work done', 'outer returned']);
});

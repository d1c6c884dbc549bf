// yieldto and produce/consume: the seed's switch points carried over to Promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateException, Task, consume, currentTask, produce, schedule, wait, yieldNow, yieldto } from '../lib/index.js';

test('yieldto: the first switch calls the function; later switches make its pending yieldto return arg', async () => {
  const log: unknown[] = [];
  const me = currentTask();
  const t = new Task(async () => {
    log.push('started');
    const a = await yieldto(me, 'first back');
    log.push(['t got', a]);
    const b = await yieldto(me, 'second back');
    log.push(['t got', b]);
    return 'done';
  });
  assert.equal(await yieldto(t, 'ignored on first switch'), 'first back');
  assert.deepEqual(log, ['started']);
  assert.equal(t.state, 'waiting');
  assert.equal(await yieldto(t, 'A'), 'second back');
  assert.deepEqual(log, ['started', ['t got', 'A']]);
  // The last switch back: t finishes, the current task can wait for its result.
  schedule(t, 'B');
  assert.equal(await wait(t), 'done');
  assert.deepEqual(log, ['started', ['t got', 'A'], ['t got', 'B']]);
});

test('yieldto between two tasks hands each value to the other side, in order', async () => {
  const log: unknown[] = [];
  let b!: Task<void>;
  const a = new Task(async () => {
    log.push(await yieldto(b, 'a1')); // b's first switch: its function starts, 'a1' is dropped
    log.push(await yieldto(b, 'a2'));
    log.push(await yieldto(b, 'a3'));
  });
  b = new Task(async () => {
    log.push(await yieldto(a, 'b1'));
    log.push(await yieldto(a, 'b2'));
    schedule(a, 'end'); // leave a runnable, then exit
  });
  schedule(a);
  await wait(a);
  assert.deepEqual(log, ['b1', 'a2', 'b2', 'a3', 'end']);
  assert.equal(b.state, 'done');
});

test('yieldto to oneself returns arg; to an exited task or a busy one throws', async () => {
  assert.equal(await yieldto(currentTask(), 'x'), 'x');
  const done = schedule(() => 1);
  await wait(done);
  assert.throws(() => yieldto(done), (e: unknown) => e instanceof InvalidStateException && /exited/.test(e.message));
  let release!: () => void;
  const busy = schedule(() => new Promise<void>((r) => (release = r)));
  await yieldNow();
  assert.throws(() => yieldto(busy), (e: unknown) => e instanceof InvalidStateException && /not waiting/.test(e.message));
  assert.throws(() => yieldto({} as Task), TypeError);
  release();
  await wait(busy);
});

test('produce/consume pass values both ways; extra consume args come back from produce', async () => {
  const fromConsumer: unknown[] = [];
  const p = new Task(async () => {
    fromConsumer.push(await produce('a'));
    fromConsumer.push(await produce('b'));
    fromConsumer.push(await produce('c'));
    return 'result';
  });
  assert.equal(p.state, 'created');
  assert.equal(await consume(p), 'a'); // starts the producer
  assert.equal(await consume(p, 1), 'b'); // produce('a') returns 1
  assert.equal(await consume(p, 2, 3), 'c'); // several values come back as an array
  // The producer returns; the waiting consumer gets the task's result, as in the seed.
  assert.equal(await consume(p), 'result');
  assert.deepEqual(fromConsumer, [1, [2, 3], undefined]);
  assert.equal(p.state, 'done');
  assert.equal(await consume(p), 'result');
});

test('a producing task is an async iterable: for await yields exactly what it produces', async () => {
  const fib = new Task(async () => {
    let [a, b] = [0, 1];
    for (let i = 0; i < 8; i++) {
      await produce(a);
      [a, b] = [b, a + b];
    }
    return 'not yielded';
  });
  const out: unknown[] = [];
  for await (const v of fib) out.push(v);
  assert.deepEqual(out, [0, 1, 1, 2, 3, 5, 8, 13]);
  assert.equal(fib.state, 'done');
});

test('a failing producer rejects its consumer and the for-await loop', async () => {
  const p = new Task(async () => {
    await produce(1);
    throw new Error('producer broke');
  });
  assert.equal(await consume(p), 1);
  await assert.rejects(consume(p), /producer broke/);
  const q = new Task(async () => {
    await produce('x');
    throw new Error('broke again');
  });
  const got: unknown[] = [];
  await assert.rejects(async () => {
    for await (const v of q) got.push(v);
  }, /broke again/);
  assert.deepEqual(got, ['x']);
});

test('consumers queue in FIFO order on one producer', async () => {
  const p = new Task(async () => {
    for (let i = 0; i < 3; i++) await produce(i);
  });
  const results = await Promise.all([consume(p), consume(p), consume(p)]);
  assert.deepEqual(results, [0, 1, 2]);
});

test('a producer started by schedule waits in produce until a consumer comes', async () => {
  const p = schedule(async () => {
    await produce('late');
    return 'end';
  });
  await yieldNow();
  assert.equal(p.state, 'waiting');
  assert.equal(await consume(p), 'late');
  assert.equal(await consume(p), 'end');
});

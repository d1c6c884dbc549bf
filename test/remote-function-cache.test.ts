// The shipped-function cache is bounded: a sender keeps at most
// functionsPerPeer hashes per peer and tells the peer what it dropped, so a
// program that ships endless distinct functions does not grow any process,
// and a dropped function simply travels as source again.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, remotecallFetch, remoteFn, rmprocs } from 'loom';
import { setFunctionsPerPeer } from '../lib/remote/function-cache.js';
import { shippingStats } from '../lib/remote/index.js';

const statsOn = remoteFn<typeof shippingStats>(new URL('../lib/remote/index.js', import.meta.url).href, 'shippingStats');

/** A self-contained function with a source of its own (as code built at run time would be). */
function distinct(i: number): (x: number) => number {
  return new Function(`return (x) => x + ${i};`)() as (x: number) => number;
}

/** One new worker, with this process's bound set to `n` for the test. */
async function oneWorkerWithBound(t: TestContext, n: number): Promise<number> {
  setFunctionsPerPeer(n);
  const [id] = await addprocs(1);
  t.after(async () => {
    setFunctionsPerPeer(1024);
    await rmprocs(id!);
  });
  return id!;
}

test('a worker keeps at most functionsPerPeer functions from one sender; dropped ones travel as source again', async (t) => {
  const id = await oneWorkerWithBound(t, 8);
  const fns = Array.from({ length: 60 }, (_, i) => distinct(i));
  for (let i = 0; i < fns.length; i++) assert.equal(await remotecallFetch(id, fns[i]!, 1000), 1000 + i);
  // The forgets of the last turn have left (a round trip after them).
  await remotecallFetch(id, statsOn);
  const there = await remotecallFetch(id, statsOn);
  assert.equal(there.compiles, 60);
  assert.ok(there.cached <= 8, `the worker keeps ${there.cached} compiled functions (at most 8)`);

  // The recent ones still go by hash; the first one was dropped and goes as source again.
  const before = shippingStats();
  assert.equal(await remotecallFetch(id, fns[59]!, 1), 60);
  assert.equal(shippingStats().sourceSends, before.sourceSends);
  assert.equal(await remotecallFetch(id, fns[0]!, 1), 1);
  assert.equal(shippingStats().sourceSends, before.sourceSends + 1);
  assert.equal((await remotecallFetch(id, statsOn)).compiles, 61);
});

test('a function in steady use between many new ones is never dropped: it travels as source once', async (t) => {
  const id = await oneWorkerWithBound(t, 8);
  const hot = distinct(-1);
  const before = shippingStats().sourceSends;
  for (let i = 0; i < 50; i++) {
    assert.equal(await remotecallFetch(id, hot, i), i - 1);
    for (let k = 0; k < 3; k++) assert.equal(await remotecallFetch(id, distinct(i * 3 + k), 0), i * 3 + k);
  }
  assert.equal(shippingStats().sourceSends - before, 1 + 150, 'the hot one once, each new one once');
  assert.equal(await remotecallFetch(id, hot, 100), 99);
  assert.equal(shippingStats().sourceSends - before, 151);
  assert.ok((await remotecallFetch(id, statsOn)).cached <= 8);
});

test('a send that fails carries no source; a function twice in one message travels as source once', async (t) => {
  const id = await oneWorkerWithBound(t, 1024);
  const f = distinct(1000);
  const before = shippingStats().sourceSends;
  // v8 cannot clone a WeakMap: the send throws, and the worker is not taken to have f.
  await assert.rejects(remotecallFetch(id, f, new WeakMap() as unknown as number), /could not be cloned/);
  assert.equal(shippingStats().sourceSends, before);
  assert.equal(await remotecallFetch(id, f, 1), 1001);
  assert.equal(shippingStats().sourceSends, before + 1);
  // The function and the same function inside an argument: the source once, then the hash.
  const g = distinct(2000);
  const useBoth = (h: (x: number) => number, x: number) => h(x);
  assert.equal(await remotecallFetch(id, distinct(0), 0), 0);
  const mid = shippingStats().sourceSends;
  assert.equal(await remotecallFetch(id, useBoth, g, 1), 2001);
  assert.equal(shippingStats().sourceSends, mid + 2, 'useBoth and g, once each');
  const h = distinct(3000);
  assert.equal(await remotecallFetch(id, (a: (x: number) => number, b: (x: number) => number) => a(1) + b(2), h, h), 3001 + 3002);
  assert.equal(shippingStats().sourceSends, mid + 4, 'h twice in one message: its source once (and the new arrow)');
  assert.equal(await remotecallFetch(id, useBoth, h, 5), 3005);
  assert.equal(shippingStats().sourceSends, mid + 4);
});

test('a function sent and dropped in the same turn still runs: the forget is taken back', async (t) => {
  const id = await oneWorkerWithBound(t, 2);
  const [a, b, c] = [distinct(1), distinct(2), distinct(3)];
  // One turn: a, b, c (a dropped), then a again (its forget cancelled, a re-sent), then a by hash.
  const got = await Promise.all([a, b, c, a, b, c, a].map((f) => remotecallFetch(id, f, 10)));
  assert.deepEqual(got, [11, 12, 13, 11, 12, 13, 11]);
  assert.equal(await remotecallFetch(id, a, 0), 1);
  assert.equal(await remotecallFetch(id, c, 0), 3);
  assert.ok((await remotecallFetch(id, statsOn)).cached <= 2);
});

test('a worker drops what a sender held once that sender is gone', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  // Worker a ships a function to worker b; then a is removed: b keeps nothing of it.
  const shipFrom = (to: number) => loom.remotecallFetch(to, (x: number) => x * 3, 7);
  assert.equal(await remotecallFetch(a, shipFrom, b), 21);
  // (statsOn names a module export: nothing of it is cached.)
  assert.equal((await remotecallFetch(b, statsOn)).cached, 1);
  await rmprocs(a);
  // Process 1 told b of a's exit before this call.
  assert.equal((await remotecallFetch(b, statsOn)).cached, 0);
});

/** The library as a shipped function sees it (bound on every process). */
declare const loom: typeof import('loom');

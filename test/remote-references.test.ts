// Future, RemoteRef and RemoteChannel from every process that holds them:
// write-once futures, the size-1 queue of RemoteRef, channels with close and
// for-await, references passed inside arguments and results through a third
// process (which then talks to the owner directly), timeouts and aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addprocs,
  Future,
  fetch,
  InvalidStateException,
  isready,
  put,
  remotecall,
  remotecallFetch,
  RemoteChannel,
  RemoteRef,
  rmprocs,
  take,
  timedwait,
  TimeoutError,
} from 'loom';

declare const loom: typeof import('loom');

test('a Future is write-once, fetch does not remove, any process can set and read it', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const f = new Future<number>(a);
  assert.equal(f.where, a);
  assert.equal(await isready(f), false);
  // Process b sets it; we read it; b reads it too.
  await remotecallFetch(b, (fut: Future<number>) => fut.put(42).then(() => undefined), f);
  assert.equal(await isready(f), true);
  assert.equal(await fetch(f), 42);
  assert.equal(await fetch(f), 42);
  assert.equal(await remotecallFetch(b, (fut: Future<number>) => loom.fetch(fut), f), 42);
  const g = new Future<string>(a);
  await g.put('once');
  await assert.rejects(g.put('twice'), /only once/);
  assert.equal(await fetch(g), 'once');
  await assert.rejects(g.put('after a fetch'), /only once/, 'still write-once once the value is cached here');
  const local = new Future<string>();
  assert.equal(local.where, 1);
  setTimeout(() => void local.put('later'), 50);
  assert.equal(await fetch(local), 'later');
});

test('a RemoteRef holds one value: a second put waits until a take', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const r = new RemoteRef<number>(a);
  assert.equal(r.where, a);
  assert.equal(r.size, 1);
  await put(r, 1);
  let second = false;
  const p = r.put(2).then(() => (second = true));
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(second, false, 'the second put waits');
  assert.equal(await r.fetch(), 1, 'fetch does not remove');
  assert.equal(await take(r), 1);
  await p;
  assert.equal(second, true);
  assert.equal(await take(r), 2);
  assert.equal(await r.isready(), false);
  await assert.rejects(r.take({ timeout: 0.1 }), TimeoutError);
});

test('references travel inside arguments and results; a third process talks to the owner', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  // A channel owned by a, made on a, returned to us inside a result.
  const { ch } = await remotecallFetch(a, () => ({ ch: new loom.RemoteChannel<string>(10) }));
  assert.ok(ch instanceof RemoteChannel);
  assert.equal(ch.where, a);
  // Handed to b inside an argument: b puts, then hands it back inside a Map.
  const back = await remotecallFetch(
    b,
    async (arg: { list: RemoteChannel<string>[] }) => {
      const c = arg.list[0]!;
      await c.put(`from ${loom.myid()}`);
      return new Map([['c', c]]);
    },
    { list: [ch] },
  );
  assert.equal(back.get('c'), ch, 'the same proxy object comes back');
  assert.equal(await ch.take(), `from ${b}`);
  // A Future made by us, owned by b, set by a.
  const f = new Future<number[]>(b);
  await remotecallFetch(a, (fut: Future<number[]>) => fut.put([1, 2, 3]).then(() => null), f);
  assert.deepEqual(await fetch(f), [1, 2, 3]);
  // A remotecall's Future (owned by a) given to b, which waits for it.
  const slow = remotecall(a, async () => {
    await new Promise((r) => setTimeout(r, 100));
    return 'slow';
  });
  assert.equal(await remotecallFetch(b, (fut: Future<string>) => loom.fetch(fut), slow), 'slow');
});

test('timedwait works on remote readiness', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const r = new RemoteRef<number>(a);
  setTimeout(() => void r.put(1), 150);
  assert.equal(await timedwait(() => isready(r), 5, { pollint: 0.02 }), 'ok');
  const never = new RemoteRef<number>(a);
  assert.equal(await timedwait(() => isready(never), 0.2, { pollint: 0.02 }), 'timed_out');
});

test('a RemoteChannel closes, drains, and iterates with for await', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const ch = new RemoteChannel<number>(4, a);
  // b produces 10 values then closes; we consume them.
  const producer = remotecallFetch(
    b,
    async (c: RemoteChannel<number>) => {
      for (let i = 0; i < 10; i++) await c.put(i);
      await c.close();
    },
    ch,
  );
  const got: number[] = [];
  for await (const v of ch) got.push(v);
  await producer;
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await assert.rejects(ch.put(1), (e: unknown) => e instanceof InvalidStateException && e.state === 'closed');
  await assert.rejects(ch.take(), InvalidStateException);
});

test('an aborted take on a remote channel leaves no value behind', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const ch = new RemoteChannel<number>(2, a);
  const ac = new AbortController();
  const taking = ch.take({ signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop')), 50);
  await assert.rejects(taking, /stop/);
  await ch.put(7);
  assert.equal(await ch.take(), 7, 'the value went to the next taker, not the aborted one');
});

test('references owned by a worker that exited fail with ProcessExitedException', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const r = new RemoteRef<number>(a);
  const waiting = assert.rejects(r.take(), { name: 'ProcessExitedException' });
  await rmprocs(a!);
  await waiting;
  await assert.rejects(r.put(1), { name: 'ProcessExitedException' });
});

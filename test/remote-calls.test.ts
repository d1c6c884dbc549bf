// remotecall and its forms on real workers: both function forms, ordering,
// values of many kinds there and back, local calls, spawn's round robin, and
// the source of a function sent once per worker however often it is called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addprocs,
  fetch,
  fetchfrom,
  fetchspawn,
  Future,
  myid,
  remotecall,
  remotecallFetch,
  remotecallWait,
  remoteDo,
  remoteFn,
  rmprocs,
  spawn,
  spawnat,
  sync,
  timedwait,
  isready,
  wait,
} from 'loom';
import { shippingStats } from '../lib/remote/index.js';

const fixture = new URL('./fixtures/remote-fns.js', import.meta.url).href;

test('remotecallFetch runs a function sent as source, with loom bound there', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  assert.equal(await remotecallFetch(a, (x: number, y: number) => x * y, 6, 7), 42);
  assert.equal(await remotecallFetch(b, () => loom.myid()), b);
  // Every syntactic form of a function value.
  async function named(x: number) {
    return x + 1;
  }
  const obj = {
    method(x: number) {
      return x - 1;
    },
  };
  assert.equal(await remotecallFetch(a, named, 1), 2);
  assert.equal(await remotecallFetch(a, obj.method, 1), 0);
  assert.equal(await remotecallFetch(a, function (x: number) { return x * 3; }, 2), 6);
});

// `loom` is bound for functions sent as source; declared here for the type checker only.
declare const loom: typeof import('loom');

test('remoteFn names a module export every process imports', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const add = remoteFn<(a: number, b: number) => number>(fixture, 'add');
  assert.equal(await remotecallFetch(a!, add, 2, 3), 5);
  assert.equal(await add(20, 22), 42, 'callable here too');
  const slow = remoteFn<(x: number, ms: number) => Promise<number>>(fixture, 'slowDouble');
  assert.equal(await fetch(remotecall(a!, slow, 21, 10)), 42);
  const osPid = remoteFn<() => number>(fixture, 'osPid');
  assert.notEqual(await remotecallFetch(a!, osPid), process.pid);
  await assert.rejects(remotecallFetch(a!, remoteFn(fixture, 'notAFunction')), (e: Error) => {
    assert.equal(e.name, 'RemoteException');
    assert.match(e.message, /no function export "notAFunction"/);
    return true;
  });
  await assert.rejects(remotecallFetch(a!, remoteFn('./no/such/module.js', 'f')), /cannot import/);
});

test('a function is sent as source once per worker, then by hash', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const f = (x: number) => x + 1000;
  const before = shippingStats();
  const calls: Promise<number>[] = [];
  for (let i = 0; i < 2000; i++) calls.push(remotecallFetch(i % 2 ? a : b, f, i));
  const got = await Promise.all(calls);
  assert.deepEqual(got, Array.from({ length: 2000 }, (_, i) => i + 1000));
  const after = shippingStats();
  assert.equal(after.sourceSends - before.sourceSends, 2, 'source sent once to each of the two workers');
  assert.equal(after.hashSends - before.hashSends, 1998);
  // A second function value with the same source is the same function to the cache.
  const g = (x: number) => x + 1000;
  await remotecallFetch(a, g, 1);
  assert.equal(shippingStats().sourceSends, after.sourceSends);
  // Each worker compiled it once.
  const stats = remoteFn<typeof shippingStats>(new URL('../lib/remote/index.js', import.meta.url).href, 'shippingStats');
  const [sa, sb] = await Promise.all([remotecallFetch(a, stats), remotecallFetch(b, stats)]);
  assert.equal(sa.compiles, 1);
  assert.equal(sb.compiles, 1);
});

test('calls to one worker complete in the order they were made (remoteDo included)', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  await remotecallFetch(a!, () => {
    (globalThis as { log?: number[] }).log = [];
  });
  for (let i = 0; i < 200; i++) {
    remoteDo(a!, (k: number) => (globalThis as unknown as { log: number[] }).log.push(k), i);
  }
  const log = await remotecallFetch(a!, () => (globalThis as unknown as { log: number[] }).log);
  assert.deepEqual(log, Array.from({ length: 200 }, (_, i) => i));
});

test('values of many kinds travel as arguments and come back as results', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const err = new RangeError('out of range', { cause: new Error('inner') });
  (err as RangeError & { code?: string }).code = 'E_TEST';
  const value = {
    f64: new Float64Array([1.5, -2.25, Math.PI]),
    i32: new Int32Array([1, -2, 3]),
    u8: new Uint8Array([0, 255]),
    big: 2n ** 70n,
    map: new Map<unknown, unknown>([['a', 1], [2, { b: [3] }]]),
    set: new Set([1, 'two', 3n]),
    date: new Date('2020-02-29T12:00:00Z'),
    re: /ab+c/gi,
    nested: { deep: { deeper: [1, [2, [3, { four: 4 }]]] } },
    nul: null,
    undef: undefined,
    nan: NaN,
    negzero: -0,
    str: 'héllo ✓',
    err,
  };
  const back = await remotecallFetch(a!, (v: typeof value) => v, value);
  assert.deepEqual(back.f64, value.f64);
  assert.ok(back.f64 instanceof Float64Array);
  assert.deepEqual(back.i32, value.i32);
  assert.deepEqual(back.u8, value.u8);
  assert.equal(back.big, value.big);
  assert.deepEqual(back.map, value.map);
  assert.deepEqual(back.set, value.set);
  assert.ok(back.date instanceof Date);
  assert.equal(back.date.getTime(), value.date.getTime());
  assert.equal(back.re.source, 'ab+c');
  assert.equal(back.re.flags, 'gi');
  assert.deepEqual(back.nested, value.nested);
  assert.equal(back.nul, null);
  assert.ok('undef' in back);
  assert.ok(Number.isNaN(back.nan));
  assert.ok(Object.is(back.negzero, -0));
  assert.equal(back.str, value.str);
  assert.ok(back.err instanceof RangeError);
  assert.equal(back.err.message, 'out of range');
  assert.equal((back.err as RangeError & { code?: string }).code, 'E_TEST');
  assert.equal((back.err.cause as Error).message, 'inner');
  // Types computed on the worker, to be sure they arrived as what they are.
  const kinds = await remotecallFetch(
    a!,
    (v: typeof value) => [
      v.f64.constructor.name,
      v.map instanceof Map,
      v.set instanceof Set,
      typeof v.big,
      v.date instanceof Date,
      v.err instanceof RangeError,
    ],
    value,
  );
  assert.deepEqual(kinds, ['Float64Array', true, true, 'bigint', true, true]);
  // Functions inside arguments travel too.
  assert.equal(await remotecallFetch(a!, (o: { f: (x: number) => number }) => o.f(20), { f: (x: number) => x + 22 }), 42);
});

test('plain values as whole arguments and results (the envelope written by hand) arrive exactly', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const echo = (...args: unknown[]) => args;
  const same = (v: unknown) => v;
  const plain: unknown[] = ['', 'a "quoted" \\ back\nslash', '\u2028\u2029 ✓ 𝄞', '\ud800 lone', 0, 1.5, -7, 1e308, 5e-324, true, false, null];
  assert.deepEqual(await remotecallFetch(a!, echo, ...plain), plain);
  for (const v of plain) assert.equal(await remotecallFetch(a!, same, v), v);
  // What JSON would change goes the general way, and arrives as it was.
  const tricky: unknown[] = [-0, NaN, Infinity, undefined, 10n, [1, 2], { k: 'v' }];
  const back = await remotecallFetch(a!, echo, ...tricky);
  assert.equal(back.length, tricky.length);
  for (let i = 0; i < tricky.length; i++) assert.deepEqual(back[i], tricky[i], `argument ${i}`);
  assert.ok(Object.is(back[0], -0));
  assert.ok(Object.is(await remotecallFetch(a!, same, -0), -0));
  assert.equal(await remotecallFetch(a!, same, undefined), undefined);
  assert.ok(Number.isNaN(await remotecallFetch(a!, same, NaN)));
  const many = Array.from({ length: 200 }, (_, i) => i);
  assert.deepEqual(await remotecallFetch(a!, echo, ...many), many);
  // remotecall, remotecallWait and remoteDo write their envelopes the same way.
  assert.equal(await fetch(remotecall(a!, (x: string, y: number) => `${x}${y}`, 'x', 1)), 'x1');
  assert.equal(await fetch(await remotecallWait(a!, (x: boolean) => !x, false)), true);
  remoteDo(a!, (k: string) => ((globalThis as Record<string, unknown>)[k] = 'done'), 'remoteDoMark');
  assert.equal(await remotecallFetch(a!, (k: string) => (globalThis as Record<string, unknown>)[k], 'remoteDoMark'), 'done');
});

test('remotecall returns a Future at once; wait, fetch, isready and remotecallWait', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const f = remotecall(a!, async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    return 'done';
  }, 150);
  assert.ok(f instanceof Future);
  assert.equal(f.where, a);
  assert.equal(await isready(f), false);
  assert.equal(await timedwait(() => isready(f), 5, { pollint: 0.02 }), 'ok');
  assert.equal(await wait(f), f);
  assert.equal(await fetch(f), 'done');
  assert.equal(await f.fetch(), 'done', 'cached after the first fetch');
  const w = await remotecallWait(a!, (x: number) => x * 2, 21);
  assert.equal(await w.isready(), true);
  assert.equal(await fetch(w), 42);
});

test('a call to this process runs here, without serializing', async () => {
  const local = { notCloneable: () => 1, sym: Symbol('s') };
  assert.equal(await remotecallFetch(myid(), (o: typeof local) => o, local), local);
  const f = remotecall(1, (o: typeof local) => o, local);
  assert.equal(f.where, 1);
  assert.equal(await fetch(f), local);
  const w = await remotecallWait(1, () => 7);
  assert.equal(await fetch(w), 7);
  let ran = false;
  remoteDo(1, () => {
    ran = true;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(ran);
});

test('spawn picks workers round robin; spawnat, fetchspawn, fetchfrom; sync waits for spawns', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const where = await Promise.all(Array.from({ length: 6 }, () => fetch(spawn(() => loom.myid()))));
  const sorted = [...ids].sort();
  // Consecutive spawns alternate over the workers.
  for (let i = 0; i + 1 < where.length; i++) assert.notEqual(where[i], where[i + 1]);
  assert.deepEqual([...new Set(where)].sort(), sorted);
  assert.equal(await fetch(spawnat(ids[1]!, () => loom.myid())), ids[1]);
  assert.ok(ids.includes(await fetchspawn(() => loom.myid())));
  assert.equal(await fetchfrom(ids[0]!, (x: number) => x + loom.myid(), 100), 100 + ids[0]!);
  let done = 0;
  await sync(() => {
    for (let i = 0; i < 4; i++) {
      spawn(async () => {
        await new Promise((r) => setTimeout(r, 100));
      }).wait().then(() => done++);
    }
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(done, 4, 'sync returned after every spawn finished');
  await assert.rejects(
    sync(() => {
      spawnat(ids[0]!, () => {
        throw new Error('spawned failure');
      });
    }),
    (e: Error) => e.name === 'CompositeException' && /spawned failure/.test(e.message),
  );
});

test('unknown process ids fail at once with a clear error', async () => {
  assert.throws(() => remotecall(999, () => 1), /unknown process id 999/);
  await assert.rejects(remotecallFetch(999, () => 1), /unknown process id 999/);
  assert.throws(() => new Future(999), /unknown process id 999/);
  assert.throws(() => remotecall(1.5, () => 1), TypeError);
  assert.throws(() => remotecall(1, 42 as unknown as () => void), TypeError);
});

test('a worker calls another worker directly; failures nest their RemoteExceptions', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  assert.equal(await remotecallFetch(a, (other: number) => loom.remotecallFetch(other, () => loom.myid()), b), b);
  // The function a received as source travels on from a to b (by a's own cache).
  const twice = (x: number) => x * 2;
  assert.equal(await remotecallFetch(a, (other: number, f: (x: number) => number) => loom.remotecallFetch(other, f, 21), b, twice), 42);
  await assert.rejects(
    remotecallFetch(a, (other: number) => loom.remotecallFetch(other, () => {
      throw new Error('deep');
    }), b),
    (e: unknown) => {
      assert.ok(e instanceof loom.RemoteException);
      assert.equal(e.pid, a);
      const inner = e.cause as InstanceType<typeof loom.RemoteException>;
      assert.equal(inner.name, 'RemoteException');
      assert.equal(inner.pid, b);
      assert.equal(inner.cause.message, 'deep');
      return true;
    },
  );
});

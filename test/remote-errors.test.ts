// Failures across processes: RemoteException with the worker's id and the
// original error rebuilt (class, message, remote stack, own properties, cause
// chain); a name the worker lacks; calls to a worker that dies or is removed;
// wait and remotecallWait rejecting; interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addprocs,
  CompositeException,
  fetch,
  interrupt,
  ProcessExitedException,
  remotecall,
  remotecallFetch,
  remotecallWait,
  RemoteException,
  rmprocs,
  wait,
  InterruptException,
  TimeoutError,
} from 'loom';
import { registerErrorClass } from '../lib/cluster/index.js';

test('a remote throw comes back as RemoteException carrying the original error', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  await assert.rejects(
    remotecallFetch(a!, function thrower() {
      const inner = new Error('disk gone');
      (inner as Error & { code?: string }).code = 'ENOENT';
      const e = new TypeError('bad input', { cause: inner });
      (e as TypeError & { detail?: unknown }).detail = { field: 'x', values: [1, 2] };
      throw e;
    }),
    (e: unknown) => {
      assert.ok(e instanceof RemoteException);
      assert.equal(e.pid, a);
      assert.match(e.message, new RegExp(`^On worker ${a}: TypeError: bad input`));
      const cause = e.cause;
      assert.ok(cause instanceof TypeError);
      assert.equal(cause.message, 'bad input');
      assert.deepEqual((cause as TypeError & { detail?: unknown }).detail, { field: 'x', values: [1, 2] });
      // The stack is the worker's: it names the function that threw there.
      assert.match(cause.stack!, /thrower/);
      assert.doesNotMatch(cause.stack!, /remote-errors\.test/);
      const inner = cause.cause as Error & { code?: string };
      assert.equal(inner.message, 'disk gone');
      assert.equal(inner.code, 'ENOENT');
      return true;
    },
  );
  // Thrown non-Errors, and async rejections.
  await assert.rejects(remotecallFetch(a!, () => {
    throw 'a string';
  }), (e: RemoteException) => e.pid === a && /a string/.test(e.message));
  await assert.rejects(remotecallFetch(a!, async () => {
    await null;
    throw new RangeError('later');
  }), (e: RemoteException) => e.cause instanceof RangeError);
});

test('a function using a name the worker lacks fails with a RemoteException that says so', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const helperOnlyHere = (x: number) => x + 1;
  await assert.rejects(remotecallFetch(a!, (x: number) => helperOnlyHere(x), 1), (e: RemoteException) => {
    assert.ok(e instanceof RemoteException);
    assert.ok(e.cause instanceof ReferenceError);
    assert.match(e.message, /helperOnlyHere is not defined on process \d+/);
    assert.match(e.message, /everywhere/);
    return true;
  });
  // A result that cannot be sent is a failure that says why, not a hang.
  await assert.rejects(remotecallFetch(a!, () => Symbol('x')), /could not be sent/);
  // Nor is one whose encoding overflows the stack (a RangeError, not a gone requester).
  const deep = () => {
    let o: object = {};
    for (let i = 0; i < 200_000; i++) o = { o };
    return o;
  };
  await assert.rejects(remotecallFetch(a!, deep), /could not be sent/);
});

test('wait, fetch and remotecallWait reject with the same RemoteException', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const boom = () => {
    throw new Error('boom');
  };
  const f = remotecall(a!, boom);
  await assert.rejects(wait(f), (e: RemoteException) => e instanceof RemoteException && e.cause.message === 'boom');
  await assert.rejects(fetch(f), (e: RemoteException) => e instanceof RemoteException && e.pid === a);
  await assert.rejects(fetch(f), RemoteException, 'cached failure');
  await assert.rejects(remotecallWait(a!, boom), (e: RemoteException) => e instanceof RemoteException && e.cause.message === 'boom');
  // Locally too, as in Julia: a failure here is a RemoteException of process 1.
  await assert.rejects(remotecallFetch(1, boom), (e: RemoteException) => e instanceof RemoteException && e.pid === 1);
});

test('calls to a worker that dies, or was removed, fail with ProcessExitedException', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const osPid = await remotecallFetch(a, () => process.pid);
  const pending = remotecallFetch(a, () => new Promise(() => {}));
  const fut = remotecall(a, () => new Promise(() => {}));
  const waiting = fut.wait();
  process.kill(osPid, 'SIGKILL');
  await assert.rejects(pending, (e: unknown) => e instanceof ProcessExitedException && e.pid === a);
  await assert.rejects(waiting, ProcessExitedException);
  await assert.rejects(remotecallFetch(a, () => 1), ProcessExitedException);
  assert.throws(() => remotecall(a, () => 1), ProcessExitedException);
  await rmprocs(b);
  await assert.rejects(remotecallFetch(b, () => 1), ProcessExitedException);
});

test('interrupt makes a busy remote call fail with InterruptException; the worker goes on', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  const busy = remotecallFetch(a!, () => {
    for (;;);
  });
  await new Promise((r) => setTimeout(r, 300));
  await interrupt(a!);
  await assert.rejects(busy, (e: RemoteException) => e instanceof RemoteException && e.cause instanceof InterruptException);
  assert.equal(await remotecallFetch(a!, () => 'alive'), 'alive');
});

test('an interrupt fails only the call it broke off; calls queued behind it run, pending async calls fail', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  // Sent in one turn: they arrive together and run as one batch on the worker.
  const busy = remotecallFetch(a!, () => {
    for (;;);
  });
  const behind = remotecallFetch(a!, () => 'ran after the interrupt');
  await new Promise((r) => setTimeout(r, 300));
  await interrupt(a!);
  await assert.rejects(busy, (e: RemoteException) => e.cause instanceof InterruptException);
  assert.equal(await behind, 'ran after the interrupt');
  // A call waiting asynchronously when the interrupt comes fails too.
  const never = remotecallFetch(a!, () => new Promise(() => {}));
  await new Promise((r) => setTimeout(r, 200));
  await interrupt(a!);
  await assert.rejects(never, (e: RemoteException) => e.cause instanceof InterruptException);
  assert.equal(await remotecallFetch(a!, () => 'alive'), 'alive');
});

test('errors nested in results and CompositeException survive the trip', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  await assert.rejects(
    remotecallFetch(a!, () => {
      throw new loom.CompositeException([new Error('one'), new TypeError('two')]);
    }),
    (e: RemoteException) => {
      assert.ok(e.cause instanceof CompositeException);
      assert.equal(e.cause.exceptions.length, 2);
      assert.ok(e.cause.exceptions[1] instanceof TypeError);
      return true;
    },
  );
});

declare const loom: typeof import('loom');

test('error classes known to the cluster come back as themselves, thrown or inside a value', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  // A TimeoutError inside a result, not thrown.
  const got = await remotecallFetch(a!, () => ({ e: new loom.TimeoutError(2) }));
  assert.ok(got.e instanceof TimeoutError);
  // A class registered here: a failure of that name on the worker arrives as it.
  class Oops extends Error {}
  registerErrorClass(Oops);
  await assert.rejects(
    remotecallFetch(a!, () => {
      const e = new Error('not good');
      e.name = 'Oops';
      throw e;
    }),
    (e: RemoteException) => {
      assert.ok(e.cause instanceof Oops, `cause is ${Object.getPrototypeOf(e.cause).constructor.name}`);
      assert.equal((e.cause as Error).message, 'not good');
      return true;
    },
  );
});

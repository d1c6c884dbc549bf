// remotecall and its forms. One message carries the function (by module
// export, by hash, or the first time to a peer as source) and the arguments:
//   'F' remotecall        -> the worker keeps the result in a Future it owns
//   'w' remotecallWait    -> the same, and it answers when the call finished
//   'f' remotecallFetch   -> it answers with the value: one round trip
//   'd' remoteDo          -> no answer at all
// A call to this process itself runs here, without serializing anything;
// calls from other processes run through call-runner.ts (interruptible).
import { myid, onMessage } from '../cluster/index.js';
import { captureRemote } from './errors-wire.js';
import { decodeFunction, explainMissing, type WireFunction } from './function-shipping.js';
import { Future } from './future.js';
import { addCount, newRefId, ownedEntry } from './refcount.js';
import type { FutureStore } from './ref-stores.js';
import { attach } from './reference.js';
import { runCall, type CallDone } from './call-runner.js';
import { reply, replyError, request, requestValue, sendCallTo } from './transport.js';
import { describe } from '../tasks/wait-options.js';
import { checkIdType } from './pids.js';

/** A function that can be called on another process (a self-contained function value or a remoteFn). */
export type RemoteCallable<A extends unknown[] = never[], R = unknown> = (...args: A) => R;

type CallMode = 'F' | 'w' | 'f' | 'd';

/** What a failure of a call on this process becomes: a RemoteException of myid(), saying what was missing. */
export function asRemoteFailure(e: unknown): unknown {
  return captureRemote(myid(), explainMissing(e, myid()));
}

/** Runs fn(...args) on this process as a remote call does: failures become RemoteException(myid()). */
export function runHere(fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
  let p: Promise<unknown>;
  try {
    p = Promise.resolve(fn(...args));
  } catch (e) {
    p = Promise.reject(e);
  }
  return p.catch((e: unknown) => {
    throw asRemoteFailure(e);
  });
}

function checkFn(fn: unknown, who: string): asserts fn is (...args: unknown[]) => unknown {
  if (typeof fn !== 'function') throw new TypeError(`${who}: fn must be a function, got ${describe(fn)}`);
}

/** Starts a call whose result a Future owned by process `id` will hold (mode 'F' or 'w'). */
export function startCall<R>(id: number, fn: unknown, args: unknown[], mode: 'F' | 'w', who: string): Future<R> {
  checkIdType(id, who);
  checkFn(fn, who);
  if (id === myid()) {
    const fut = new Future<R>();
    const store = ownedEntry(fut.id).store as FutureStore;
    const done = new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        runHere(fn, args).then(
          (v) => {
            store.trySet(v);
            resolve();
          },
          (e: unknown) => {
            store.fail(e);
            reject(e);
          },
        );
      });
    });
    if (mode === 'w') fut.setDone(done);
    else done.catch(() => {});
    return fut;
  }
  const rid = newRefId('f', 1);
  if (mode === 'F') {
    sendCallTo(id, { type: 'remote.call', m: mode, r: rid, f: fn, a: args });
    return attach(rid, id, 1, () => new Future<R>());
  }
  const done = request(id, { type: 'remote.call', m: mode, r: rid, f: fn, a: args }, undefined, sendCallTo);
  const fut = attach(rid, id, 1, () => new Future<R>());
  fut.setDone(done);
  return fut;
}

/**
 * Calls `fn(...args)` on process `id` and returns a Future of its result at
 * once. Throws at once for an unknown id or a process that has exited.
 */
export function remotecall<A extends unknown[], R>(id: number, fn: RemoteCallable<A, R>, ...args: A): Future<Awaited<R>> {
  return startCall<Awaited<R>>(id, fn, args, 'F', 'remotecall');
}

/** Calls and waits for the call to finish (one message each way); resolves with the Future, rejects if the call failed. */
export async function remotecallWait<A extends unknown[], R>(
  id: number,
  fn: RemoteCallable<A, R>,
  ...args: A
): Promise<Future<Awaited<R>>> {
  const fut = startCall<Awaited<R>>(id, fn, args, 'w', 'remotecallWait');
  return fut.wait();
}

/** Calls and resolves with the result: one message there, one back. Rejects with RemoteException on failure. */
export function remotecallFetch<A extends unknown[], R>(id: number, fn: RemoteCallable<A, R>, ...args: A): Promise<Awaited<R>> {
  try {
    checkIdType(id, 'remotecallFetch');
    checkFn(fn, 'remotecallFetch');
  } catch (e) {
    return Promise.reject(e);
  }
  if (id === myid()) return runHere(fn as (...a: unknown[]) => unknown, args) as Promise<Awaited<R>>;
  return requestValue(id, { type: 'remote.call', m: 'f', f: fn, a: args }, sendCallTo) as Promise<Awaited<R>>;
}

/** Calls `fn(...args)` on process `id` and forgets it (a failure is printed there). */
export function remoteDo<A extends unknown[], R>(id: number, fn: RemoteCallable<A, R>, ...args: A): void {
  checkIdType(id, 'remoteDo');
  checkFn(fn, 'remoteDo');
  if (id === myid()) {
    queueMicrotask(() => {
      runHere(fn as (...a: unknown[]) => unknown, args).catch(reportDoFailure);
    });
    return;
  }
  sendCallTo(id, { type: 'remote.call', m: 'd', f: fn, a: args });
}

function reportDoFailure(e: unknown): void {
  console.error('loom: remoteDo failed:', e);
}

/** A remoteDo's outcome: nobody waits for it; a failure is printed here. */
const doneOfRemoteDo: CallDone = (ok, v) => {
  if (!ok) reportDoFailure(asRemoteFailure(v));
};

/** A remotecallFetch's outcome: the reply. */
const replyOutcome: CallDone = (ok, v, from, i) => (ok ? reply(from, i, v) : replyError(from, i, asRemoteFailure(v)));

onMessage('remote.call', (msg, from) => {
  const mode = msg.m as CallMode;
  const fn = decodeFunction(msg.f as WireFunction, from);
  const args = (msg.a as unknown[] | undefined) ?? [];
  const i = msg.i as number;
  let done: CallDone;
  switch (mode) {
    case 'f':
      done = replyOutcome;
      break;
    case 'd':
      done = doneOfRemoteDo;
      break;
    case 'F':
    case 'w': {
      const rid = msg.r as string;
      const store = ownedEntry(rid).store as FutureStore;
      addCount(rid, from, 1);
      done = (ok, v) => {
        if (ok) {
          store.trySet(v);
          if (mode === 'w') reply(from, i, undefined);
        } else {
          const failure = asRemoteFailure(v);
          store.fail(failure);
          if (mode === 'w') replyError(from, i, failure);
        }
      };
      break;
    }
    default:
      return;
  }
  runCall(fn, args, done, from, i);
});

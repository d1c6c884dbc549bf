// @spawn, @spawnat, @fetch, @fetchfrom. spawn picks the next worker in turn,
// whatever the arguments, as Julia's nextproc does; spawn and spawnat register
// with the enclosing `sync`, which then waits for the call (and collects its failure).
import { myid, workers } from '../cluster/index.js';
import { inSync, trackInSync } from '../tasks/sync.js';
import type { Future } from './future.js';
import { remotecallFetch, startCall, type RemoteCallable } from './remotecall.js';

let turn = 0;

/** The next worker in round-robin order (this process when there are no workers). */
export function nextproc(): number {
  const ws = workers();
  if (ws.length === 0) return myid();
  const pid = ws[turn % ws.length]!;
  turn = (turn + 1) % ws.length;
  return pid;
}

function spawnOn<R>(pid: number, fn: unknown, args: unknown[], who: string): Future<R> {
  // Inside a sync, the worker also says when the call is done, so sync need not ask.
  if (!inSync()) return startCall<R>(pid, fn, args, 'F', who);
  const fut = startCall<R>(pid, fn, args, 'w', who);
  trackInSync(() => fut.wait());
  return fut;
}

/** `@spawn`: runs fn(...args) on the next worker in turn; returns its Future at once. */
export function spawn<A extends unknown[], R>(fn: RemoteCallable<A, R>, ...args: A): Future<Awaited<R>> {
  return spawnOn<Awaited<R>>(nextproc(), fn, args, 'spawn');
}

/** `@spawnat p`: runs fn(...args) on process `pid`; returns its Future at once. */
export function spawnat<A extends unknown[], R>(pid: number, fn: RemoteCallable<A, R>, ...args: A): Future<Awaited<R>> {
  return spawnOn<Awaited<R>>(pid, fn, args, 'spawnat');
}

/** `@fetch`: fetch(spawn(fn, ...args)), in one round trip. */
export function fetchspawn<A extends unknown[], R>(fn: RemoteCallable<A, R>, ...args: A): Promise<Awaited<R>> {
  return remotecallFetch(nextproc(), fn, ...args);
}

/** `@fetchfrom p`: fetch(spawnat(p, fn, ...args)), in one round trip. */
export function fetchfrom<A extends unknown[], R>(pid: number, fn: RemoteCallable<A, R>, ...args: A): Promise<Awaited<R>> {
  return remotecallFetch(pid, fn, ...args);
}

// sync / asyncTask: structured waiting over the dynamic extent of a function.
// Work registered anywhere inside `sync(fn)` -- in fn, in tasks fn starts, in
// tasks those start, in remote calls -- is found through AsyncLocalStorage,
// not lexically, and `sync` resolves only once all of it has settled.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompositeException } from '../errors.js';
import { Task, schedule } from './task.js';
import { withoutInterrupts } from './interrupt.js';
import { describe } from './wait-options.js';

class SyncFrame {
  constructor(readonly parent: SyncFrame | undefined) {}
  pending = 0;
  seq = 0;
  readonly errors: { order: number; error: unknown }[] = [];
  idle: (() => void) | undefined = undefined;
  // Set when sync returns: a timer or untracked task started inside it may
  // still run later; what it starts then belongs to the enclosing sync that
  // is still running, if any.
  finished = false;

  settle(): void {
    if (--this.pending === 0 && this.idle !== undefined) {
      const idle = this.idle;
      this.idle = undefined;
      idle();
    }
  }
}

const syncStore = new AsyncLocalStorage<SyncFrame>();

/** The innermost enclosing sync that has not returned yet. */
function activeFrame(): SyncFrame | undefined {
  let frame = syncStore.getStore();
  while (frame !== undefined && frame.finished) frame = frame.parent;
  return frame;
}

/**
 * Registers work with the innermost enclosing `sync`, which will wait for it and
 * collect its rejection. Outside any `sync` it does nothing (the caller keeps
 * responsibility for the work). Used by asyncTask, spawn, spawnat and
 * parallelFor. Given a function, calls it at once to get the promise, with its
 * waits not registered as the current task's (so interrupting the caller does
 * not cancel this bookkeeping wait); the function is not called outside a sync.
 */
export function trackInSync(work: PromiseLike<unknown> | (() => PromiseLike<unknown>)): void {
  const frame = activeFrame();
  if (frame === undefined) return;
  const p = typeof work === 'function' ? withoutInterrupts(work) : work;
  const order = frame.seq++;
  frame.pending++;
  Promise.resolve(p).then(
    () => frame.settle(),
    (error: unknown) => {
      frame.errors.push({ order, error });
      frame.settle();
    },
  );
}

/** True inside the dynamic extent of some `sync`. */
export function inSync(): boolean {
  return activeFrame() !== undefined;
}

/**
 * `@sync`: runs fn, then waits until every `asyncTask` / `spawn` / `spawnat` /
 * `parallelFor` started in its dynamic extent (however deeply nested) has
 * finished. Resolves with fn's value; if fn or any of that work failed, rejects
 * with one `CompositeException` listing every error, fn's own first, then the
 * others in the order their work was started.
 */
export async function sync<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  if (typeof fn !== 'function') throw new TypeError(`sync: fn must be a function, got ${describe(fn)}`);
  const frame = new SyncFrame(syncStore.getStore());
  let result: T | undefined;
  const bodyErrors: unknown[] = [];
  try {
    result = await syncStore.run(frame, fn);
  } catch (e) {
    bodyErrors.push(e);
  }
  // Work that settles may start more work inside the frame: wait until quiet.
  while (frame.pending > 0) {
    await new Promise<void>((resolve) => {
      frame.idle = resolve;
    });
  }
  frame.finished = true;
  if (bodyErrors.length > 0 || frame.errors.length > 0) {
    frame.errors.sort((a, b) => a.order - b.order);
    throw new CompositeException([...bodyErrors, ...frame.errors.map((e) => e.error)]);
  }
  return result as T;
}

/**
 * `@async`: wraps fn in a Task, schedules it, and registers it with the
 * enclosing `sync` (if any). Outside a `sync` it just runs; a failure is kept
 * on the task for `wait` / `fetch` and never crashes the process.
 */
export function asyncTask<T>(fn: () => T | PromiseLike<T>): Task<T> {
  if (typeof fn !== 'function') throw new TypeError(`asyncTask: fn must be a function, got ${describe(fn)}`);
  const t = schedule(new Task(fn));
  trackInSync(() => t._whenDone());
  return t;
}

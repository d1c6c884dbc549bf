// ReentrantLock: owned by a Task (currentTask()), counted, handed over in FIFO
// order. Code outside any task belongs to the root task, so two plain async
// functions at top level are the same owner: use tasks for mutual exclusion.
import { InvalidStateException } from '../errors.js';
import type { WaitOptions } from './protocol.js';
import { currentTask, rootTask, type Task } from './task.js';
import { describe } from './wait-options.js';
import { WaitQueue } from './wait-queue.js';

const resolved: Promise<void> = Promise.resolve();

export class ReentrantLock {
  #owner: Task<unknown> | undefined = undefined;
  #count = 0;
  readonly #waiters = new WaitQueue<void, Task<unknown>>('lock');

  /** Whether some task holds it. */
  get locked(): boolean {
    return this.#owner !== undefined;
  }
  /** The holding task, if any. */
  get owner(): Task<unknown> | undefined {
    return this.#owner;
  }
  /** How many times the owner has locked it without unlocking. */
  get count(): number {
    return this.#count;
  }

  /** Acquires it (again, if the current task holds it); otherwise waits in FIFO order. */
  lock(options?: WaitOptions): Promise<void> {
    const me = currentTask();
    if (this.#acquire(me)) return resolved;
    // The unlocking task hands the lock straight to us (see unlock), so a
    // waiter that timed out simply is not in the queue any more.
    return this.#waiters.wait(options, me, me === rootTask ? null : me);
  }

  /** Acquires it only if that is possible at once. */
  trylock(): boolean {
    return this.#acquire(currentTask());
  }

  /** Takes the lock for `me` if it is free or already `me`'s. */
  #acquire(me: Task<unknown>): boolean {
    if (this.#owner === undefined) {
      this.#owner = me;
      this.#count = 1;
      return true;
    }
    if (this.#owner === me) {
      this.#count++;
      return true;
    }
    return false;
  }

  /** Releases one level; the last one hands the lock to the first waiter. */
  unlock(): void {
    const me = currentTask();
    if (this.#owner !== me) {
      throw new InvalidStateException(
        this.#owner === undefined ? 'unlock: the lock is not locked' : `unlock: the lock is held by ${this.#owner}, not by the current ${me}`,
        this.#owner === undefined ? 'unlocked' : 'not_owner',
      );
    }
    if (--this.#count > 0) return;
    const next = this.#waiters.shift();
    if (next === undefined) {
      this.#owner = undefined;
      return;
    }
    this.#owner = next.payload;
    this.#count = 1;
    next.resolve();
  }
}

export function lock(l: ReentrantLock, options?: WaitOptions): Promise<void> {
  return checkLock(l, 'lock').lock(options);
}

export function unlock(l: ReentrantLock): void {
  checkLock(l, 'unlock').unlock();
}

export function trylock(l: ReentrantLock): boolean {
  return checkLock(l, 'trylock').trylock();
}

export function islocked(l: ReentrantLock): boolean {
  return checkLock(l, 'islocked').locked;
}

/** Runs fn holding the lock, and always releases it, whether fn returns, throws or rejects. */
export async function withLock<T>(l: ReentrantLock, fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
  checkLock(l, 'withLock');
  if (typeof fn !== 'function') throw new TypeError(`withLock: fn must be a function, got ${describe(fn)}`);
  await l.lock(options);
  try {
    return await fn();
  } finally {
    l.unlock();
  }
}

function checkLock(l: unknown, who: string): ReentrantLock {
  if (!(l instanceof ReentrantLock)) throw new TypeError(`${who}: expected a ReentrantLock, got ${describe(l)}`);
  return l;
}

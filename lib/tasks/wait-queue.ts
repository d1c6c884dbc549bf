// The one waiting primitive of loom: a FIFO of parked Promises. Condition,
// Channel, ReentrantLock, Task completion and the remote layer's futures and
// channel stores all queue their waiters here, so that timeouts, AbortSignals
// and "wake everyone with an error" behave the same everywhere.
//
// Waiters are a doubly linked list so that a timed-out, aborted or interrupted
// (schedule(t, err, { error: true })) waiter leaves the queue in O(1) without
// disturbing the order of the others.
import { TimeoutError } from '../errors.js';
import type { WaitOptions } from './protocol.js';
import { blockingTask, type BlockedWait, type Interruptible } from './interrupt.js';
import { waitOptionsError } from './wait-options.js';

// setTimeout clamps longer delays to 1 ms; anything this long is "no timeout".
const kMaxTimerMs = 2 ** 31 - 1;

class Waiter<T, P> implements BlockedWait {
  prev: Waiter<T, P> | null = null;
  next: Waiter<T, P> | null = null;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  // The task blocked here, which `schedule(task, err, { error: true })` may interrupt.
  task: Interruptible | undefined = undefined;
  blockedPrev: BlockedWait | undefined = undefined;
  blockedNext: BlockedWait | undefined = undefined;
  constructor(
    readonly queue: WaitQueue<T, P>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
    readonly payload: P,
  ) {}

  cancel(error: unknown): void {
    this.queue._cancel(this, error);
  }
}

/**
 * FIFO waiters resolved with a `T`; each may carry a payload `P` (a Channel's
 * blocked putters carry their value, a lock's waiters their task).
 */
export class WaitQueue<T = void, P = undefined> {
  #head: Waiter<T, P> | null = null;
  #tail: Waiter<T, P> | null = null;
  #length = 0;
  /** Named in timeout messages ("take timed out after 2 s"). */
  readonly what: string;

  constructor(what = 'wait') {
    this.what = what;
  }

  /** How many are waiting. */
  get length(): number {
    return this.#length;
  }

  /**
   * Parks the caller until woken, in FIFO order. Rejects with `TimeoutError`
   * after `options.timeout` seconds, or with `signal.reason` when aborted; in
   * both cases the waiter has left the queue and will not be woken. Bad
   * options reject (TypeError / RangeError) rather than throw. `blocker` is
   * the waiting task when the caller already knows it (null: not a task), to
   * spare a second AsyncLocalStorage lookup.
   */
  wait(options?: WaitOptions, payload?: P, blocker?: Interruptible | null): Promise<T> {
    if (options !== undefined) {
      const bad = waitOptionsError(options, this.what);
      if (bad !== undefined) return Promise.reject(bad);
      const { timeout, signal } = options;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (timeout === 0) return Promise.reject(new TimeoutError(0, this.what));
    }
    return new Promise<T>((resolve, reject) => {
      const w = new Waiter<T, P>(this, resolve, reject, payload as P);
      this.#append(w);
      if (options !== undefined) this.#arm(w, options);
      const task = blocker === undefined ? blockingTask() : (blocker ?? undefined);
      if (task !== undefined) {
        w.task = task;
        task._block(w);
      }
    });
  }

  /** The payload of the first waiter (undefined when nobody waits). */
  peek(): P | undefined {
    return this.#head?.payload;
  }

  /** Wakes the first waiter with `value`; false when nobody waits. */
  wakeOne(value: T): boolean {
    const w = this.#head;
    if (w === null) return false;
    this.#remove(w);
    w.resolve(value);
    return true;
  }

  /** Wakes every waiter present now (not those that queue meanwhile); returns how many. */
  wakeAll(value: T): number {
    return this.#drain((w) => w.resolve(value));
  }

  /** Rejects the first waiter with `error`; false when nobody waits. */
  rejectOne(error: unknown): boolean {
    const w = this.#head;
    if (w === null) return false;
    this.#remove(w);
    w.reject(error);
    return true;
  }

  /** Rejects every waiter present now with `error` (close, failure); returns how many. */
  rejectAll(error: unknown): number {
    return this.#drain((w) => w.reject(error));
  }

  /** Removes and returns the first waiter's payload together with its wake functions. */
  shift(): { payload: P; resolve: (value: T) => void; reject: (error: unknown) => void } | undefined {
    const w = this.#head;
    if (w === null) return undefined;
    this.#remove(w);
    return w;
  }

  /** @internal an interrupt of the waiting task: w leaves the queue, rejected with error. */
  _cancel(w: Waiter<T, P>, error: unknown): void {
    this.#remove(w);
    w.reject(error);
  }

  #drain(settle: (w: Waiter<T, P>) => void): number {
    // Detach the whole list first: a woken waiter's continuation runs later, but
    // a synchronous settle callback could re-enter and queue again.
    let w = this.#head;
    const n = this.#length;
    this.#head = this.#tail = null;
    this.#length = 0;
    while (w !== null) {
      const next = w.next;
      w.prev = w.next = null;
      disarm(w);
      settle(w);
      w = next;
    }
    return n;
  }

  #append(w: Waiter<T, P>): void {
    const tail = this.#tail;
    if (tail === null) this.#head = w;
    else {
      tail.next = w;
      w.prev = tail;
    }
    this.#tail = w;
    this.#length++;
  }

  #remove(w: Waiter<T, P>): void {
    const { prev, next } = w;
    if (prev === null) this.#head = next;
    else prev.next = next;
    if (next === null) this.#tail = prev;
    else next.prev = prev;
    w.prev = w.next = null;
    this.#length--;
    disarm(w);
  }

  #arm(w: Waiter<T, P>, { timeout, signal }: WaitOptions): void {
    if (timeout !== undefined && timeout * 1000 <= kMaxTimerMs) {
      w.timer = setTimeout(() => {
        w.timer = undefined;
        this.#remove(w);
        w.reject(new TimeoutError(timeout, this.what));
      }, timeout * 1000);
    }
    if (signal !== undefined) {
      w.signal = signal;
      w.onAbort = () => {
        w.onAbort = undefined;
        this.#remove(w);
        w.reject(signal.reason);
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
  }
}

function disarm<T, P>(w: Waiter<T, P>): void {
  if (w.task !== undefined) {
    w.task._unblock(w);
    w.task = undefined;
  }
  if (w.timer !== undefined) {
    clearTimeout(w.timer);
    w.timer = undefined;
  }
  if (w.onAbort !== undefined) {
    w.signal!.removeEventListener('abort', w.onAbort);
    w.onAbort = undefined;
  }
}

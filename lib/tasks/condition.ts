// Condition: an edge-triggered event source. Only the tasks waiting at the
// moment of `notify` are woken; a notify with nobody waiting is lost (use a
// Channel for level-triggered events).
import { kWait, type WaitOptions } from './protocol.js';
import { describe } from './wait-options.js';
import { WaitQueue } from './wait-queue.js';

/** Options of `notify(c, val, { all, error })`. */
export interface NotifyOptions {
  /** Wake every waiter (default) or only the first, in FIFO order. */
  all?: boolean;
  /** Deliver `val` as an exception to the woken waiters. */
  error?: boolean;
}

export class Condition<T = unknown> {
  readonly #waiters = new WaitQueue<T>('wait on Condition');

  /** How many are waiting now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits for the next `notify`; resolves with its value (rejects with it when `error: true`). */
  wait(options?: WaitOptions): Promise<T> {
    return this.#waiters.wait(options);
  }

  /** Wakes the waiters present now (or only the first); returns how many it woke. */
  notify(val?: T, options?: NotifyOptions): number {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`notify: options must be an object like { all, error }, got ${describe(options)}`);
    }
    const all = options?.all ?? true;
    if (options?.error === true) {
      if (all) return this.#waiters.rejectAll(val);
      return this.#waiters.rejectOne(val) ? 1 : 0;
    }
    if (all) return this.#waiters.wakeAll(val as T);
    return this.#waiters.wakeOne(val as T) ? 1 : 0;
  }

  [kWait](options?: WaitOptions): Promise<T> {
    return this.#waiters.wait(options);
  }
}

/** `notify(c, val; all, error)`: returns how many waiters it woke. */
export function notify<T>(c: Condition<T>, val?: T, options?: NotifyOptions): number {
  if (!(c instanceof Condition)) throw new TypeError(`notify: expected a Condition, got ${describe(c)}`);
  return c.notify(val, options);
}

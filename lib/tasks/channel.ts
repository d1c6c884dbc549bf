// Channel<T>: a FIFO of values between tasks, bounded (size 32 by default),
// unbounded (Infinity) or unbuffered (0: every put meets a take). Blocked
// putters and takers wait in WaitQueues, so timeouts and AbortSignals work on
// each operation; a put or take that can complete at once allocates no waiter.
import { InvalidStateException } from '../errors.js';
import { kClose, kFetch, kIsReady, kPut, kTake, kWait, type WaitOptions } from './protocol.js';
import { Deque } from './deque.js';
import { describe, waitOptionsError } from './wait-options.js';
import { WaitQueue } from './wait-queue.js';

const resolvedVoid: Promise<void> = Promise.resolve();
/** What #poll returns when there is no value to take (a value may be undefined). */
const nothing: unique symbol = Symbol('nothing');

export class Channel<T = unknown> implements AsyncIterable<T> {
  /** How many values it buffers: 0 (unbuffered), a positive integer, or Infinity. */
  readonly capacity: number;
  readonly #buffer: Deque<T>;
  // Takers wait only while nothing is buffered and no putter waits; putters
  // (carrying their value) only while the buffer is full.
  readonly #takers = new WaitQueue<T>('take');
  readonly #putters = new WaitQueue<void, T>('put');
  // fetch() and wait() on an empty channel: woken (all) when a value arrives.
  readonly #readers = new WaitQueue<void>('wait on Channel');
  #closed = false;
  #closeReason: unknown = undefined;

  constructor(size: number = 32) {
    if (typeof size !== 'number' || Number.isNaN(size)) {
      throw new TypeError(`Channel: size must be a number, got ${describe(size)}`);
    }
    if (size < 0 || (!Number.isInteger(size) && size !== Infinity)) {
      throw new RangeError(`Channel: size must be a non-negative integer or Infinity, got ${size}`);
    }
    this.capacity = size;
    this.#buffer = new Deque<T>(Math.min(size, 1024));
  }

  /** How many values are buffered now. */
  get length(): number {
    return this.#buffer.length;
  }
  get closed(): boolean {
    return this.#closed;
  }
  isopen(): boolean {
    return !this.#closed;
  }

  /** Whether a take would complete at once. */
  isready(): boolean {
    return this.#buffer.length > 0 || this.#putters.length > 0;
  }

  /**
   * Appends `v`, waiting while the channel is full (on an unbuffered channel,
   * until a taker receives it). Resolves (with nothing: a put that completes
   * at once returns one shared, already-resolved Promise) or rejects with
   * InvalidStateException (state 'closed') if the channel is or gets closed.
   */
  put(v: T, options?: WaitOptions): Promise<void> {
    // Checked even when the operation completes at once, so a bad option shows the first time.
    if (options !== undefined) {
      const bad = waitOptionsError(options, 'put');
      if (bad !== undefined) return Promise.reject(bad);
    }
    if (this.#closed) return Promise.reject(this.#closedError('put'));
    if (this.#offer(v)) return resolvedVoid;
    if (this.#readers.length > 0 && this.capacity === 0) this.#readers.wakeAll();
    return this.#putters.wait(options, v);
  }

  /** Appends `v` only if that needs no waiting; false otherwise. Throws on a closed channel. */
  tryPut(v: T): boolean {
    if (this.#closed) throw this.#closedError('put');
    return this.#offer(v);
  }

  /** Hands `v` to a waiting taker, or buffers it if there is room; false if it would have to wait. */
  #offer(v: T): boolean {
    if (this.#takers.wakeOne(v)) return true;
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(v);
      if (this.#readers.length > 0) this.#readers.wakeAll();
      return true;
    }
    return false;
  }

  /** Removes and returns the first value, waiting while there is none. */
  take(options?: WaitOptions): Promise<T> {
    // Checked even when the operation completes at once, so a bad option shows the first time.
    if (options !== undefined) {
      const bad = waitOptionsError(options, 'take');
      if (bad !== undefined) return Promise.reject(bad);
    }
    const v = this.#poll();
    if (v !== nothing) return Promise.resolve(v);
    if (this.#closed) return Promise.reject(this.#closedError('take'));
    return this.#takers.wait(options);
  }

  /**
   * Removes and returns the first value if one is there at once; otherwise
   * returns `empty` (undefined unless given). Throws on a closed, empty channel.
   */
  tryTake(): T | undefined;
  tryTake<E>(empty: E): T | E;
  tryTake<E>(empty?: E): T | E | undefined {
    const v = this.#poll();
    if (v !== nothing) return v;
    if (this.#closed) throw this.#closedError('take');
    return empty;
  }

  /** The first buffered value, or (unbuffered) the first blocked putter's; `nothing` if neither. */
  #poll(): T | typeof nothing {
    if (this.#buffer.length > 0) return this.#shift();
    const putter = this.#putters.shift();
    if (putter === undefined) return nothing;
    putter.resolve();
    return putter.payload;
  }

  /** Waits for the first value and returns it without removing it. */
  fetch(options?: WaitOptions): Promise<T> {
    // Checked even when the operation completes at once, so a bad option shows the first time.
    if (options !== undefined) {
      const bad = waitOptionsError(options, 'fetch');
      if (bad !== undefined) return Promise.reject(bad);
    }
    if (this.#buffer.length > 0) return Promise.resolve(this.#buffer.peek());
    if (this.#putters.length > 0) return Promise.resolve(this.#putters.peek() as T);
    if (this.#closed) return Promise.reject(this.#closedError('fetch'));
    return this.#readers.wait(options).then(() => this.fetch(options));
  }

  /** Waits until a value is available (level-triggered); rejects if the channel is closed empty. */
  wait(options?: WaitOptions): Promise<void> {
    if (this.isready()) return resolvedVoid;
    if (this.#closed) return Promise.reject(this.#closedError('wait'));
    return this.#readers.wait(options);
  }

  /**
   * Closes the channel: later puts throw, buffered values still drain, and
   * every waiter blocked now (putters, and takers/fetchers of an empty channel)
   * is rejected with InvalidStateException (state 'closed'), or with `reason`
   * if given. Closing twice does nothing.
   */
  close(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#putters.rejectAll(this.#closedError('put'));
    this.#takers.rejectAll(this.#closedError('take'));
    this.#readers.rejectAll(this.#closedError('wait'));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const done: IteratorResult<T> = { value: undefined, done: true };
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.#buffer.length > 0) return Promise.resolve({ value: this.#shift(), done: false });
        if (this.#closed && this.#closeReason === undefined) return Promise.resolve(done);
        return this.take().then(
          (value) => ({ value, done: false }),
          (e: unknown) => {
            // The normal end of iteration: closed (without an error) and drained.
            if (this.#closed && this.#closeReason === undefined && e instanceof InvalidStateException) return done;
            throw e;
          },
        );
      },
      return: (): Promise<IteratorResult<T>> => Promise.resolve(done),
    };
  }

  [kPut](v: T, options?: WaitOptions): Promise<void> {
    return this.put(v, options);
  }
  [kTake](options?: WaitOptions): Promise<T> {
    return this.take(options);
  }
  [kFetch](options?: WaitOptions): Promise<T> {
    return this.fetch(options);
  }
  [kIsReady](): boolean {
    return this.isready();
  }
  [kWait](options?: WaitOptions): Promise<void> {
    return this.wait(options);
  }
  [kClose](): void {
    this.close();
  }

  #shift(): T {
    const v = this.#buffer.shift();
    // A slot freed: the first blocked putter's value moves into the buffer.
    const putter = this.#putters.shift();
    if (putter !== undefined) {
      this.#buffer.push(putter.payload);
      putter.resolve();
    }
    return v;
  }

  #closedError(op: string): unknown {
    if (this.#closeReason !== undefined) return this.#closeReason;
    return new InvalidStateException(`${op}: Channel is closed`, 'closed');
  }
}

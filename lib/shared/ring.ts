// Ring: a bounded multi-producer multi-consumer queue of byte messages in
// shared memory (a loom Mapping's buffer, or a SharedArrayBuffer), usable from
// several processes and threads at once. The algorithm and the byte layout are
// native/ring.h's; `impl: 'native'` runs them in C++ through the addon, `impl:
// 'ts'` runs the TypeScript twin (ring-twin.ts) on the same bytes. The two
// interoperate, even across processes.
//
// Blocking push / pop try first, optionally spin, then sleep on the ring's
// futex words; a producer (consumer) makes the wake syscall only when the
// waiter count in the header says someone sleeps.
import { abortError, addon, futexWait, futexWake, heldWaitAsync, isFutexMemory } from '../native.js';
import { TimeoutError } from '../errors.js';
import { kClose, kIsReady, kPut, kTake, kWait, type WaitOptions } from '../tasks/protocol.js';
import {
  HEADER_BYTES,
  MAX_CAPACITY,
  MAX_SLOT_SIZE,
  RING_MAGIC,
  RingAttachStatus,
  RingStatus,
  RingWord,
  isPowerOfTwo,
  ringBytes,
} from './ring-layout.js';
import { RingTwin, checkRingHeader, initRing } from './ring-twin.js';

export type RingImpl = 'native' | 'ts';

export interface RingOptions {
  /** Which implementation runs the algorithm; defaults to 'native' when the addon is loaded. */
  impl?: RingImpl;
  /**
   * Microseconds a blocking push / pop may spin (re-trying, on the JS thread)
   * before it sleeps on the futex. Adaptive: the budget shrinks while spins
   * fail and returns to this value when one succeeds. Default 0 (no spin):
   * worth it only when the other side is busy on another core.
   */
  spin?: number;
}

export interface RingWaitOptions extends WaitOptions {
  /** Overrides the ring's spin budget (microseconds) for this call. */
  spin?: number;
}

/** Push on a closed ring, or pop on a closed ring with nothing left. */
export class RingClosedError extends Error {
  readonly code = 'ERR_RING_CLOSED';
  constructor(message = 'the ring is closed') {
    super(message);
    this.name = 'RingClosedError';
  }
}

export type RingFormatErrorCode =
  | 'ERR_RING_BAD_MAGIC'
  | 'ERR_RING_BAD_VERSION'
  | 'ERR_RING_CORRUPT'
  | 'ERR_RING_TOO_SMALL'
  | 'ERR_RING_DETACHED';

/** The bytes do not hold a ring this code can use (or no longer exist). */
export class RingFormatError extends Error {
  readonly code: RingFormatErrorCode;
  constructor(code: RingFormatErrorCode, message: string) {
    super(message);
    this.name = 'RingFormatError';
    this.code = code;
  }
}

/** What native/ring_binding.cc adds to the addon. */
interface RingBinding {
  ringCreate(ring: Uint8Array, capacity: number, slotSize: number): number;
  ringAttach(ring: Uint8Array): number;
  ringTryPush(ring: Uint8Array, msg: Uint8Array): number;
  ringTryPop(ring: Uint8Array, out: Uint8Array): number;
  ringPushBatch(ring: Uint8Array, data: Uint8Array, lens: Uint32Array, count: number): number;
  ringPopBatch(ring: Uint8Array, out: Uint8Array, lens: Uint32Array, max: number): number;
  ringClose(ring: Uint8Array): number;
}

function ringBinding(): RingBinding | undefined {
  const a = addon as (Partial<RingBinding> & object) | undefined;
  return a && typeof a.ringTryPush === 'function' ? (a as RingBinding) : undefined;
}
const binding = ringBinding();

/** The operations both implementations provide, with RingStatus results. */
interface RingCore {
  tryPush(msg: Uint8Array): number;
  tryPop(out: Uint8Array): number;
  pushPacked(data: Uint8Array, lens: Uint32Array, count: number): number;
  popPacked(out: Uint8Array, lens: Uint32Array, max: number): number;
  close(): void;
}

class NativeCore implements RingCore {
  readonly #b: RingBinding;
  readonly #ring: Uint8Array;
  constructor(b: RingBinding, ring: Uint8Array) {
    this.#b = b;
    this.#ring = ring;
  }
  tryPush(msg: Uint8Array): number {
    return this.#b.ringTryPush(this.#ring, msg);
  }
  tryPop(out: Uint8Array): number {
    return this.#b.ringTryPop(this.#ring, out);
  }
  pushPacked(data: Uint8Array, lens: Uint32Array, count: number): number {
    return this.#b.ringPushBatch(this.#ring, data, lens, count);
  }
  popPacked(out: Uint8Array, lens: Uint32Array, max: number): number {
    return this.#b.ringPopBatch(this.#ring, out, lens, max);
  }
  close(): void {
    this.#b.ringClose(this.#ring);
  }
}

/**
 * How a sleeper sleeps on this memory: Atomics.waitAsync on a
 * SharedArrayBuffer (so threads with and without the addon wake each other
 * with Atomics.notify), the addon's futex on a Mapping (across processes),
 * or polling on any other ArrayBuffer (nobody else can see it).
 */
type SleepMode = 'atomics' | 'futex' | 'poll';

const kMaxWake = 0x7fffffff;

function checkBuffer(buffer: unknown): ArrayBuffer | SharedArrayBuffer {
  if (buffer instanceof ArrayBuffer || buffer instanceof SharedArrayBuffer) return buffer;
  throw new TypeError(`buffer must be an ArrayBuffer or a SharedArrayBuffer, got ${Object.prototype.toString.call(buffer)}`);
}

function checkByteOffset(byteOffset: unknown): number {
  if (typeof byteOffset !== 'number' || !Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw new RangeError(`byteOffset must be a non-negative integer, got ${String(byteOffset)}`);
  }
  if (byteOffset % 8 !== 0) throw new RangeError(`byteOffset must be a multiple of 8, got ${byteOffset}`);
  return byteOffset;
}

function checkGeometry(capacity: unknown, slotSize: unknown): void {
  if (typeof capacity !== 'number' || !isPowerOfTwo(capacity) || capacity > MAX_CAPACITY) {
    throw new RangeError(`capacity must be a power of two from 1 to ${MAX_CAPACITY}, got ${String(capacity)}`);
  }
  if (typeof slotSize !== 'number' || !Number.isInteger(slotSize) || slotSize < 1 || slotSize > MAX_SLOT_SIZE) {
    throw new RangeError(`slotSize must be an integer from 1 to ${MAX_SLOT_SIZE}, got ${String(slotSize)}`);
  }
}

function checkImpl(opts: RingOptions | undefined): RingImpl {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new TypeError('options must be an object');
  const impl = opts?.impl ?? (binding ? 'native' : 'ts');
  if (impl !== 'native' && impl !== 'ts') throw new TypeError(`options.impl must be 'native' or 'ts', got ${String(impl)}`);
  if (impl === 'native' && !binding) {
    throw Object.assign(new Error("Ring impl 'native' needs loom's native addon, which is not loaded (LOOM_NATIVE=0 or a failed build)"), {
      code: 'ERR_LOOM_NO_NATIVE',
    });
  }
  return impl;
}

function checkSpin(spin: unknown, what: string): number {
  if (spin === undefined) return 0;
  if (typeof spin !== 'number' || !Number.isFinite(spin) || spin < 0) {
    throw new RangeError(`${what} must be a non-negative number of microseconds, got ${String(spin)}`);
  }
  return spin;
}

function checkMessage(msg: unknown, slotSize: number): Uint8Array {
  if (!(msg instanceof Uint8Array)) throw new TypeError(`message must be a Uint8Array, got ${Object.prototype.toString.call(msg)}`);
  if (msg.length > slotSize) {
    throw new RangeError(`message of ${msg.length} bytes is larger than the ring's slotSize of ${slotSize} bytes`);
  }
  return msg;
}

function checkCount(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

function formatError(status: number, byteOffset: number, need?: number, have?: number): RingFormatError {
  switch (status) {
    case RingAttachStatus.badMagic:
      return new RingFormatError(
        'ERR_RING_BAD_MAGIC',
        `no ring at byte offset ${byteOffset}: the magic number 0x${RING_MAGIC.toString(16)} ('RING') is missing`,
      );
    case RingAttachStatus.badVersion:
      return new RingFormatError('ERR_RING_BAD_VERSION', `the ring at byte offset ${byteOffset} has a layout version this loom does not know`);
    case RingAttachStatus.badGeometry:
      return new RingFormatError('ERR_RING_CORRUPT', `the ring header at byte offset ${byteOffset} is corrupt (capacity, slotSize or stride make no sense)`);
    case RingAttachStatus.misaligned:
      return new RingFormatError('ERR_RING_CORRUPT', `the ring at byte offset ${byteOffset} is not 8-byte aligned`);
    default:
      if (have === 0) {
        return new RingFormatError(
          'ERR_RING_DETACHED',
          `no bytes at byte offset ${byteOffset}: the ring's memory is gone (a detached buffer, or its Mapping was closed)`,
        );
      }
      return new RingFormatError(
        'ERR_RING_TOO_SMALL',
        `the ring at byte offset ${byteOffset} needs ${need ?? '?'} bytes but the buffer has ${have ?? '?'} from there`,
      );
  }
}

const now = (): number => performance.now();

export class Ring {
  /** Bytes a ring of this geometry occupies: 320 + capacity * (8 + slotSize padded to 8). */
  static bytesNeeded(capacity: number, slotSize: number): number {
    checkGeometry(capacity, slotSize);
    return ringBytes(capacity, slotSize);
  }

  /** Lays out an empty ring at byteOffset (a multiple of 8; 64 keeps its cache lines apart). */
  static create(
    buffer: ArrayBuffer | SharedArrayBuffer,
    byteOffset: number,
    capacity: number,
    slotSize: number,
    opts?: RingOptions,
  ): Ring {
    const buf = checkBuffer(buffer);
    const off = checkByteOffset(byteOffset);
    checkGeometry(capacity, slotSize);
    const impl = checkImpl(opts);
    const need = ringBytes(capacity, slotSize);
    const have = Math.max(0, buf.byteLength - off);
    if (have < need) {
      throw new RangeError(`a ring of capacity ${capacity} and slotSize ${slotSize} needs ${need} bytes, but the buffer has ${have} from byte offset ${off}`);
    }
    const u8 = new Uint8Array(buf, off, need);
    if (impl === 'native') {
      const r = (binding as RingBinding).ringCreate(u8, capacity, slotSize);
      if (r !== 0) throw formatError(r, off, need, have);
    } else {
      initRing(new Int32Array(buf, off, need / 4), capacity, slotSize);
    }
    return new Ring(buf, off, impl, opts);
  }

  /** A view of an existing ring (created here or by another process / thread, by either impl). */
  static attach(buffer: ArrayBuffer | SharedArrayBuffer, byteOffset: number, opts?: RingOptions): Ring {
    return new Ring(checkBuffer(buffer), checkByteOffset(byteOffset), checkImpl(opts), opts);
  }

  readonly capacity: number;
  readonly slotSize: number;
  readonly impl: RingImpl;
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly byteOffset: number;
  /** Bytes the ring occupies from byteOffset. */
  readonly byteLength: number;

  readonly #i32: Int32Array;
  readonly #core: RingCore;
  readonly #scratch: Uint8Array;
  readonly #shared: boolean;
  #sleepMode: SleepMode;
  readonly #spinMax: number;
  #spinBudget: number;
  #packData: Uint8Array | undefined;
  #packLens: Uint32Array | undefined;

  private constructor(buffer: ArrayBuffer | SharedArrayBuffer, byteOffset: number, impl: RingImpl, opts: RingOptions | undefined) {
    this.#spinMax = checkSpin(opts?.spin, 'options.spin');
    this.#spinBudget = this.#spinMax;
    const have = Math.max(0, buffer.byteLength - byteOffset);
    // Check the header with a view of what is there, then view exactly the ring.
    if (have < HEADER_BYTES) throw formatError(RingAttachStatus.tooSmall, byteOffset, HEADER_BYTES, have);
    const probe = new Int32Array(buffer, byteOffset, HEADER_BYTES / 4);
    const status = checkRingHeader(probe, have);
    if (status !== 0) {
      throw formatError(status, byteOffset, ringBytes(probe[RingWord.capacity] as number, probe[RingWord.slotSize] as number), have);
    }
    this.capacity = probe[RingWord.capacity] as number;
    this.slotSize = probe[RingWord.slotSize] as number;
    this.byteLength = ringBytes(this.capacity, this.slotSize);
    this.impl = impl;
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.#i32 = new Int32Array(buffer, byteOffset, this.byteLength / 4);
    const u8 = new Uint8Array(buffer, byteOffset, this.byteLength);
    this.#shared = typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
    this.#sleepMode = this.#shared ? 'atomics' : this.#futexWorksHere() ? 'futex' : 'poll';
    this.#scratch = new Uint8Array(this.slotSize);
    this.#core = impl === 'native' ? new NativeCore(binding as RingBinding, u8) : new RingTwin(this.#i32, u8, (w) => this.#wake(w));
  }

  /** True once close() was called (by anyone). */
  get closed(): boolean {
    return this.#live() && (Atomics.load(this.#i32, RingWord.tail) & 1) === 1;
  }

  /** Messages in the ring now (a snapshot while others push and pop). */
  get size(): number {
    this.#live();
    const t = Atomics.load(this.#i32, RingWord.tail) & ~1;
    const h = Atomics.load(this.#i32, RingWord.head);
    const d = (t - h) | 0;
    return d > 0 ? d / 2 : 0;
  }

  /** Pushes one message; false when the ring is full. Throws RingClosedError when closed. */
  tryPush(msg: Uint8Array): boolean {
    checkMessage(msg, this.slotSize);
    this.#live();
    const r = this.#core.tryPush(msg);
    if (r === 0) {
      if (this.#shared && this.impl === 'native') this.#notifyThreads(RingWord.notEmpty, RingWord.emptyWaiters);
      return true;
    }
    if (r === RingStatus.wouldBlock) return false;
    throw this.#error(r, 'push on a closed ring');
  }

  /** Pops one message (a fresh copy); undefined when empty. Throws RingClosedError when closed and drained. */
  tryPop(): Uint8Array | undefined {
    this.#live();
    const r = this.#core.tryPop(this.#scratch);
    if (r >= 0) {
      if (this.#shared && this.impl === 'native') this.#notifyThreads(RingWord.notFull, RingWord.fullWaiters);
      return this.#scratch.slice(0, r);
    }
    if (r === RingStatus.wouldBlock) return undefined;
    throw this.#error(r, 'pop on a closed ring with nothing left');
  }

  /** Pushes, waiting (futex) while the ring is full. Rejects with RingClosedError, TimeoutError, or the signal's reason. */
  async push(msg: Uint8Array, opts?: RingWaitOptions): Promise<void> {
    checkMessage(msg, this.slotSize);
    if (this.tryPush(msg)) return;
    await this.#waitFor(RingWord.notFull, RingWord.fullWaiters, () => (this.tryPush(msg) ? true : undefined), opts, 'Ring.push');
  }

  /** Pops, waiting (futex) while the ring is empty. Rejects with RingClosedError once closed and drained. */
  async pop(opts?: RingWaitOptions): Promise<Uint8Array> {
    const m = this.tryPop();
    if (m) return m;
    return this.#waitFor(RingWord.notEmpty, RingWord.emptyWaiters, () => this.tryPop(), opts, 'Ring.pop');
  }

  /**
   * Pushes as many of msgs as fit now, in order, in one call (one claim of
   * consecutive slots per round): how many were pushed (0 when full).
   * Throws RingClosedError when the ring is closed and nothing was pushed.
   */
  pushBatch(msgs: readonly Uint8Array[]): number {
    if (!Array.isArray(msgs)) throw new TypeError('msgs must be an array of Uint8Array');
    const n = msgs.length;
    for (let i = 0; i < n; i++) checkMessage(msgs[i], this.slotSize);
    if (n === 0) return 0;
    this.#live();
    let done = 0;
    if (this.#core instanceof RingTwin) {
      while (done < n) {
        const r = this.#core.pushMany(msgs, done, n - done);
        if (r <= 0) {
          if (done > 0 || r === RingStatus.wouldBlock || r === 0) break;
          throw this.#error(r, 'push on a closed ring');
        }
        done += r;
      }
      return done;
    }
    while (done < n) {
      const count = Math.min(n - done, this.capacity);
      const { data, lens } = this.#pack(count);
      let off = 0;
      for (let i = 0; i < count; i++) {
        const m = msgs[done + i] as Uint8Array;
        data.set(m, off);
        lens[i] = m.length;
        off += m.length;
      }
      const r = this.#pushPacked(data, lens, count, done > 0);
      if (r <= 0) break;
      done += r;
      if (r < count) break;
    }
    return done;
  }

  /**
   * Pops up to max messages in one call: [] when empty. The messages are
   * views over one fresh ArrayBuffer. Throws RingClosedError when closed and drained.
   */
  popBatch(max: number): Uint8Array[] {
    const want = Math.min(checkCount(max, 'max'), this.capacity);
    if (want === 0) return [];
    const { data, lens } = this.#pack(want);
    const n = this.popPacked(data, lens, want);
    if (n === 0) return [];
    let total = 0;
    for (let i = 0; i < n; i++) total += lens[i] as number;
    const bytes = data.slice(0, total);
    const out = new Array<Uint8Array>(n);
    let off = 0;
    for (let i = 0; i < n; i++) {
      const len = lens[i] as number;
      out[i] = bytes.subarray(off, off + len);
      off += len;
    }
    return out;
  }

  /**
   * The allocation-free batch push: `count` messages back to back in `data`,
   * their lengths in `lens`. Returns how many were pushed (a prefix; 0 when full).
   */
  pushPacked(data: Uint8Array, lens: Uint32Array, count: number = lens.length): number {
    return this.#pushPacked(data, lens, count, false);
  }

  // pushBatch's later rounds pass allowClosed: a close after a partial push ends the batch, it is no error.
  #pushPacked(data: Uint8Array, lens: Uint32Array, count: number, allowClosed: boolean): number {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (!(lens instanceof Uint32Array)) throw new TypeError('lens must be a Uint32Array');
    count = Math.min(checkCount(count, 'count'), lens.length);
    this.#live();
    let total = 0;
    for (let i = 0; i < count; i++) {
      const len = lens[i] as number;
      if (len > this.slotSize) throw new RangeError(`message ${i} of ${len} bytes is larger than the ring's slotSize of ${this.slotSize} bytes`);
      total += len;
    }
    if (total > data.length) throw new RangeError(`lens add up to ${total} bytes but data has ${data.length}`);
    const r = this.#core.pushPacked(data, lens, count);
    if (r >= 0) {
      if (r > 0 && this.#shared && this.impl === 'native') this.#notifyThreads(RingWord.notEmpty, RingWord.emptyWaiters);
      return r;
    }
    if (r === RingStatus.wouldBlock || (allowClosed && r === RingStatus.closed)) return 0;
    throw this.#error(r, 'push on a closed ring');
  }

  /**
   * The allocation-free batch pop: up to `max` messages back to back into
   * `out` (while they fit), their lengths into `lens`. Returns how many (0 when
   * empty); throws RingClosedError when closed and drained.
   */
  popPacked(out: Uint8Array, lens: Uint32Array, max: number = lens.length): number {
    if (!(out instanceof Uint8Array)) throw new TypeError('out must be a Uint8Array');
    if (!(lens instanceof Uint32Array)) throw new TypeError('lens must be a Uint32Array');
    max = Math.min(checkCount(max, 'max'), lens.length);
    if (max === 0) return 0;
    this.#live();
    const r = this.#core.popPacked(out, lens, max);
    if (r >= 0) {
      if (r > 0 && this.#shared && this.impl === 'native') this.#notifyThreads(RingWord.notFull, RingWord.fullWaiters);
      return r;
    }
    if (r === RingStatus.wouldBlock) return 0;
    if (r === RingStatus.tooLarge) throw new RangeError(`out (${out.length} bytes) cannot hold the next message (up to ${this.slotSize} bytes)`);
    throw this.#error(r, 'pop on a closed ring with nothing left');
  }

  /** Closes the ring for everyone: pushes fail from now on, pops drain what is left. Idempotent. */
  close(): void {
    this.#live();
    this.#core.close();
    if (this.#shared && this.impl === 'native') {
      Atomics.notify(this.#i32, RingWord.notEmpty);
      Atomics.notify(this.#i32, RingWord.notFull);
    }
  }

  // ---- the free verbs (put, take, wait, isready, close) --------------------------

  [kPut](msg: Uint8Array, opts?: WaitOptions): Promise<void> {
    return this.push(msg, opts);
  }
  [kTake](opts?: WaitOptions): Promise<Uint8Array> {
    return this.pop(opts);
  }
  /** Resolves when a message is there (without taking it); rejects with RingClosedError once closed and drained. */
  async [kWait](opts?: WaitOptions): Promise<void> {
    const ready = (): true | undefined => {
      if (this.size > 0) return true;
      if (this.closed && this.size === 0) throw new RingClosedError('wait on a closed ring with nothing left');
      return undefined;
    };
    if (ready()) return;
    await this.#waitFor(RingWord.notEmpty, RingWord.emptyWaiters, ready, opts, 'wait(Ring)');
  }
  [kIsReady](): boolean {
    return this.size > 0;
  }
  [kClose](): void {
    this.close();
  }

  // ---- internals --------------------------------------------------------------

  #live(): true {
    if (this.#i32.length === 0) throw formatError(RingAttachStatus.tooSmall, this.byteOffset, this.byteLength, 0);
    return true;
  }

  #error(status: number, closedMessage: string): Error {
    if (status === RingStatus.closed) return new RingClosedError(closedMessage);
    if (status === RingStatus.tooLarge) return new RangeError(`a message is larger than the ring's slotSize of ${this.slotSize} bytes`);
    const have = this.#i32.length === 0 ? 0 : Math.max(0, this.buffer.byteLength - this.byteOffset);
    return formatError(status, this.byteOffset, this.byteLength, have);
  }

  #pack(count: number): { data: Uint8Array; lens: Uint32Array } {
    if (!this.#packLens || this.#packLens.length < count) {
      this.#packLens = new Uint32Array(count);
      this.#packData = new Uint8Array(count * this.slotSize);
    }
    return { data: this.#packData as Uint8Array, lens: this.#packLens };
  }

  // The addon's futex works on a Mapping's buffer; on any other ArrayBuffer
  // nobody else can see the ring, so a blocking call just polls.
  #futexWorksHere(): boolean {
    return addon !== undefined && isFutexMemory(this.#i32.buffer);
  }

  // Wakes the sleepers of a futex word (the TS twin calls this when the
  // waiter count is non-zero, and on close).
  #wake(word: number): void {
    if (this.#sleepMode === 'atomics') Atomics.notify(this.#i32, word);
    else if (this.#sleepMode === 'futex') futexWake(this.#i32, word, kMaxWake);
  }

  // After a native publish on a SharedArrayBuffer: C++ made a futex syscall,
  // but sleepers there wait in Atomics.waitAsync, which only Atomics.notify reaches.
  #notifyThreads(word: number, waiters: number): void {
    if (Atomics.load(this.#i32, waiters) !== 0) Atomics.notify(this.#i32, word);
  }

  async #waitFor<T>(
    word: number,
    waiters: number,
    attempt: () => T | undefined,
    opts: RingWaitOptions | undefined,
    what: string,
  ): Promise<T> {
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new TypeError('options must be an object');
    const timeout = opts?.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new RangeError(`options.timeout must be a non-negative number of seconds, got ${String(timeout)}`);
    }
    const signal = opts?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    const spinMax = opts?.spin !== undefined ? checkSpin(opts.spin, 'options.spin') : this.#spinMax;
    const deadline = timeout === undefined || timeout === Infinity ? Infinity : now() + timeout * 1000;

    // Adaptive spin: poll the ring itself (costs the other side nothing).
    const budget = opts?.spin !== undefined ? spinMax : this.#spinBudget;
    if (budget > 0) {
      const end = now() + budget / 1000;
      do {
        const r = attempt();
        if (r !== undefined) {
          this.#spinBudget = this.#spinMax;
          return r;
        }
      } while (now() < end);
      this.#spinBudget = Math.max(this.#spinMax / 32, this.#spinBudget / 2);
    }

    const i32 = this.#i32;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      Atomics.add(i32, waiters, 1);
      try {
        const seen = Atomics.load(i32, word);
        const r = attempt();
        if (r !== undefined) return r;
        const left = deadline - now();
        if (left <= 0) throw new TimeoutError(timeout as number, what);
        if (this.#sleepMode === 'poll') {
          await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1)));
        } else if (this.#sleepMode === 'atomics') {
          await heldWaitAsync(i32, word, seen, left, signal, true);
        } else {
          await futexWait(i32, word, seen, left === Infinity ? undefined : left / 1000, signal ? { signal } : undefined);
        }
      } finally {
        Atomics.sub(i32, waiters, 1);
      }
    }
  }
}

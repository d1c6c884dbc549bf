// SharedChannel: a bounded channel between processes of one host, in a shared
// memory segment, over the lock-free ring (native/ring.h; its TS twin without the
// addon). Passable to any process among its pids like a SharedArray.
//
// fetch (the value without removing it) has no atomic counterpart in the ring: a
// process that fetches takes the next message into its own one-message peek
// buffer, and this process's next take or fetch returns it. So a fetched message
// is taken only by the process that fetched it. isready() does not take anything.
import { InvalidStateException } from '../errors.js';
import type { Mapping } from '../native.js';
import { kClose, kFetch, kIsReady, kPut, kTake, kWait, type WaitOptions } from '../tasks/protocol.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { Ring, RingClosedError } from './ring.js';
import { createSharedChannel } from './shared-channel-create.js';
import { takeUntilClosed } from '../tasks/take-until-closed.js';

export interface SharedChannelOptions {
  /** The largest encoded message, in bytes (default 4096). Larger ones are a RangeError at put. */
  slotSize?: number;
  /** Processes that may use the channel, all on one host; default: every process on this host. */
  pids?: readonly number[];
  /**
   * The ring implementation every process uses for this channel: `'native'` (default with
   * the addon) or `'ts'` (the pure-TS twin over the same bytes; for comparisons).
   */
  impl?: 'native' | 'ts';
  /**
   * Microseconds a waiting put or take may spin before it sleeps on the futex (default 0).
   * Worth it only when producers and consumers are busy on other cores: it saves the
   * ~30 µs wake-up of a sleeping peer at the cost of a busy core.
   */
  spin?: number;
}

/** @internal What travels when a SharedChannel is sent to another process. */
export interface SharedChannelWire {
  readonly id: string;
  readonly backing: 'shm' | 'local';
  readonly name: string;
  readonly byteLength: number;
  readonly capacity: number;
  readonly slotSize: number;
  readonly pids: readonly number[];
  readonly creator: number;
  readonly impl: 'native' | 'ts';
  readonly spin: number;
}

/** @internal */
export interface SharedChannelStorage {
  readonly wire: SharedChannelWire;
  readonly mapping: Mapping | undefined;
  /** Undefined when this process could not map it on arrival (see `failure`). */
  readonly ring: Ring | undefined;
  readonly onRelease: () => void;
  /** Why this process could not map it: every use throws this. */
  readonly failure?: Error;
}

const none: unique symbol = Symbol('none');

export class SharedChannel<T = unknown> implements AsyncIterable<T> {
  /** Messages the channel holds at most (a power of two). */
  readonly capacity: number;
  /** The largest encoded message in bytes. */
  readonly slotSize: number;
  /** The processes that may use it. */
  readonly pids: readonly number[];
  readonly creator: number;
  /** @internal */ readonly id: string;
  readonly #storage: SharedChannelStorage;
  #ring: Ring | undefined;
  #peeked: T | typeof none = none;

  /**
   * A channel of `capacity` messages (default 32, rounded up to a power of two) of at
   * most `slotSize` encoded bytes each, usable by every process of `pids`.
   */
  static create<T = unknown>(capacity?: number, options?: SharedChannelOptions): Promise<SharedChannel<T>> {
    return createSharedChannel<T>(capacity, options);
  }

  /** @internal Use `SharedChannel.create`. */
  constructor(storage: SharedChannelStorage) {
    const w = storage.wire;
    this.#storage = storage;
    this.#ring = storage.ring;
    this.id = w.id;
    this.capacity = w.capacity;
    this.slotSize = w.slotSize;
    this.pids = w.pids;
    this.creator = w.creator;
  }

  /** @internal */
  get wire(): SharedChannelWire {
    return this.#storage.wire;
  }

  /** The ring implementation in use: `'native'` or `'ts'` (the pure-TS twin). */
  get impl(): 'native' | 'ts' {
    return this.#live().impl;
  }

  /** True once this process released its mapping (`release()`); the channel itself may live on. */
  get released(): boolean {
    return this.#ring === undefined;
  }

  /** True once the channel was closed by any process. */
  get closed(): boolean {
    return this.#ring === undefined || this.#ring.closed;
  }

  /** @internal Throws why this process cannot use the channel. */
  assertMapped(): void {
    this.#live();
  }

  #live(): Ring {
    if (this.#storage.failure !== undefined) throw this.#storage.failure;
    if (this.#ring === undefined) {
      throw new InvalidStateException(`SharedChannel ${this.id} was released on this process; it can no longer be used here`, 'released');
    }
    return this.#ring;
  }

  /** Appends `value`, waiting while the channel is full; InvalidStateException once closed. */
  async put(value: T, options?: WaitOptions): Promise<T> {
    const ring = this.#live();
    const bytes = encodeMessage(value, this.slotSize);
    try {
      if (!ring.tryPush(bytes)) await ring.push(bytes, options);
    } catch (e) {
      throw translate(e, this.id);
    }
    return value;
  }

  /** Removes and returns the oldest value, waiting while there is none. */
  async take(options?: WaitOptions): Promise<T> {
    if (this.#peeked !== none) {
      const v = this.#peeked;
      this.#peeked = none;
      return v;
    }
    return this.#pop(options);
  }

  /** The oldest value without removing it (see the note on the peek buffer above). */
  async fetch(options?: WaitOptions): Promise<T> {
    if (this.#peeked === none) this.#peeked = await this.#pop(options);
    return this.#peeked as T;
  }

  /** True when a value is available now (a snapshot: another process may take it first). */
  isready(): boolean {
    if (this.#peeked !== none) return true;
    const ring = this.#live();
    return ring.size > 0;
  }

  /** Waits until a value is available (rejects when the channel is closed and empty). */
  async wait(options?: WaitOptions): Promise<void> {
    await this.fetch(options);
  }

  /** Closes the channel for every process: puts fail, takes drain what is left, then fail. */
  close(): void {
    this.#live().close();
  }

  /**
   * Releases this process's mapping of the channel (on its creator, the segment too, if
   * still linked, and the other processes' cached copies). Idempotent.
   */
  release(): void {
    if (this.#ring === undefined) return;
    this.#ring = undefined;
    this.#peeked = none;
    try {
      this.#storage.mapping?.close();
    } finally {
      this.#storage.onRelease();
    }
  }

  async #pop(options?: WaitOptions): Promise<T> {
    const ring = this.#live();
    let bytes: Uint8Array | undefined;
    try {
      bytes = ring.tryPop() ?? (await ring.pop(options));
    } catch (e) {
      throw translate(e, this.id);
    }
    return decodeMessage(bytes) as T;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return takeUntilClosed(() => this.take());
  }

  [kPut](value: T, options?: WaitOptions): Promise<T> {
    return this.put(value, options);
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

  toString(): string {
    return `SharedChannel(${this.capacity} x ${this.slotSize} bytes) on pids [${this.pids.join(', ')}]`;
  }
}

function translate(e: unknown, id: string): unknown {
  if (e instanceof RingClosedError) return new InvalidStateException(`SharedChannel ${id} is closed`, 'closed');
  return e;
}

// What the owner of a reference keeps: a write-once slot for a Future, a
// tasks-layer Channel for a RemoteChannel / RemoteRef. Remote processes reach
// these only through operations named here (see reference.ts).
import { InvalidStateException } from '../errors.js';
import { Channel } from '../tasks/channel.js';
import type { WaitOptions } from '../tasks/protocol.js';
import { WaitQueue } from '../tasks/wait-queue.js';

export type RefOp = 'put' | 'take' | 'fetch' | 'isready' | 'wait' | 'close';

export interface RefStore {
  run(op: RefOp, value: unknown, options?: WaitOptions): unknown;
  /** The owner dropped the reference: wake whoever still waits with an error. */
  free(): void;
}

const enum FutureState {
  Unset,
  Value,
  Failed,
}

/** A Future's value on its owner: set once, with a value or a failure. */
export class FutureStore implements RefStore {
  #state = FutureState.Unset;
  #value: unknown = undefined;
  readonly #waiters = new WaitQueue<void>('wait on Future');

  set(value: unknown): void {
    if (!this.trySet(value)) throw new Error('Future can be set only once');
  }

  /** Sets the value unless it is already set (a user's put won the race); false then. */
  trySet(value: unknown): boolean {
    if (this.#state !== FutureState.Unset) return false;
    this.#state = FutureState.Value;
    this.#value = value;
    this.#waiters.wakeAll();
    return true;
  }

  /** The call that was to set it failed: fetch and wait reject with `error` (a RemoteException). */
  fail(error: unknown): void {
    if (this.#state !== FutureState.Unset) return;
    this.#state = FutureState.Failed;
    this.#value = error;
    this.#waiters.wakeAll();
  }

  async fetch(options?: WaitOptions): Promise<unknown> {
    if (this.#state === FutureState.Unset) await this.#waiters.wait(options);
    if (this.#state === FutureState.Failed) throw this.#value;
    return this.#value;
  }

  run(op: RefOp, value: unknown, options?: WaitOptions): unknown {
    switch (op) {
      case 'fetch':
        return this.fetch(options);
      case 'wait':
        return this.fetch(options).then(() => undefined);
      case 'isready':
        return this.#state !== FutureState.Unset;
      case 'put':
        this.set(value);
        return undefined;
      case 'take':
      case 'close':
        throw new TypeError(`${op} is not an operation of a Future (it is write-once: use fetch)`);
    }
  }

  free(): void {
    this.#waiters.rejectAll(new InvalidStateException('the Future was freed by its owner', 'freed'));
  }
}

/** A RemoteChannel's values on its owner. */
export class ChannelStore implements RefStore {
  readonly channel: Channel<unknown>;
  constructor(size: number) {
    this.channel = new Channel<unknown>(size);
  }

  run(op: RefOp, value: unknown, options?: WaitOptions): unknown {
    const ch = this.channel;
    switch (op) {
      case 'put':
        return ch.put(value, options).then(() => undefined);
      case 'take':
        return ch.take(options);
      case 'fetch':
        return ch.fetch(options);
      case 'isready':
        return ch.isready();
      case 'wait':
        return ch.wait(options);
      case 'close':
        ch.close();
        return undefined;
    }
  }

  free(): void {
    this.channel.close();
  }
}

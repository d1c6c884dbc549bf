// RemoteChannel: a Channel that lives on one process (`where`) and that every
// process holding the reference can put to and take from. RemoteRef is the
// seed's "shared queue of length 1": a RemoteChannel of size 1.
import { registerHandle } from '../cluster/index.js';
import { kClose, kFetch, kIsReady, kPut, kTake, kWait, type WaitOptions } from '../tasks/protocol.js';
import { describe } from '../tasks/wait-options.js';
import { liveProxy, receivedAgain, refKind, refSize, sharing } from './refcount.js';
import { RemoteReference, attach } from './reference.js';
import { takeUntilClosed } from '../tasks/take-until-closed.js';

export class RemoteChannel<T = unknown> extends RemoteReference implements AsyncIterable<T> {
  /** How many values the owner buffers (Infinity: unbounded). */
  readonly size: number;

  /** A channel of `size` values (default 1) owned by process `pid` (this process by default). */
  constructor(size = 1, pid?: number) {
    checkSize(size);
    super(new.target === RemoteRef ? 'r' : 'c', size, pid, new.target === RemoteRef ? 'RemoteRef' : 'RemoteChannel');
    this.size = refSize(this.id);
  }

  /** Appends `value`, waiting while the channel is full. Resolves with the channel. */
  put(value: T, options?: WaitOptions): Promise<this> {
    return this.runOp('put', value, options, 'put').then(() => this);
  }
  /** Removes and returns the first value, waiting while there is none. */
  take(options?: WaitOptions): Promise<T> {
    return this.runOp('take', undefined, options, 'take') as Promise<T>;
  }
  /** Waits for the first value and returns it without removing it. */
  fetch(options?: WaitOptions): Promise<T> {
    return this.runOp('fetch', undefined, options, 'fetch') as Promise<T>;
  }
  /** Whether a take would complete at once (asks the owner). */
  isready(): Promise<boolean> {
    return this.runOp('isready', undefined, undefined, 'isready') as Promise<boolean>;
  }
  /** Waits until a value is available. */
  wait(options?: WaitOptions): Promise<void> {
    return this.runOp('wait', undefined, options, 'wait') as Promise<void>;
  }
  /** Closes the channel: puts fail, buffered values still drain. */
  close(): Promise<void> {
    return this.runOp('close', undefined, undefined, 'close') as Promise<void>;
  }

  /** Takes values until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return takeUntilClosed(() => this.take());
  }

  [kPut](value: T, options?: WaitOptions): Promise<this> {
    return this.put(value, options);
  }
  [kTake](options?: WaitOptions): Promise<T> {
    return this.take(options);
  }
  [kFetch](options?: WaitOptions): Promise<T> {
    return this.fetch(options);
  }
  [kIsReady](): Promise<boolean> {
    return this.isready();
  }
  [kWait](options?: WaitOptions): Promise<void> {
    return this.wait(options);
  }
  [kClose](): Promise<void> {
    return this.close();
  }

  override toString(): string {
    return `${this.constructor.name}(${this.where}, ${this.id})`;
  }
}

/** The seed's RemoteRef: holds one value; a second put waits until a take. */
export class RemoteRef<T = unknown> extends RemoteChannel<T> {
  /** An empty RemoteRef owned by process `pid` (this process by default). */
  constructor(pid?: number) {
    super(1, pid);
  }
}

function checkSize(size: unknown): void {
  if (typeof size !== 'number' || Number.isNaN(size)) {
    throw new TypeError(`RemoteChannel: size must be a number, got ${describe(size)}`);
  }
  if (size < 0 || (!Number.isInteger(size) && size !== Infinity)) {
    throw new RangeError(`RemoteChannel: size must be a non-negative integer or Infinity, got ${size}`);
  }
}

/** A proxy for an existing channel id, found or made here. */
function channelProxy(id: string, where: number): RemoteChannel {
  const live = liveProxy(id);
  if (live instanceof RemoteChannel) {
    receivedAgain(live.token);
    return live;
  }
  return attach(id, where, 1, () => (refKind(id) === 'r' ? new RemoteRef() : new RemoteChannel()));
}

registerHandle<RemoteChannel>({
  tag: 'rchannel',
  is: (v): v is RemoteChannel => v instanceof RemoteChannel,
  encode(ch, to) {
    sharing(ch.id, ch.where, to);
    return { w: ch.where, r: ch.id };
  },
  decode(data) {
    const d = data as { w: number; r: string };
    return channelProxy(d.r, d.w);
  },
});

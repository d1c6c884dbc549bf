// Future: a write-once reference to a value on its owner (`where`). The result
// of `remotecall` is a Future owned by the worker that runs the call. `fetch`
// caches the value here after the first time (and lets the owner free it), so
// a Future that was fetched travels on with its value.
import { registerHandle } from '../cluster/index.js';
import { kFetch, kIsReady, kPut, kWait, type WaitOptions } from '../tasks/protocol.js';
import { decodeError, encodeError, isWireError, type WireError } from './errors-wire.js';
import { liveProxy, receivedAgain, sharing } from './refcount.js';
import { RemoteReference, attach } from './reference.js';

type Cached<T> = { readonly ok: true; readonly v: T } | { readonly ok: false; readonly e: unknown };

export class Future<T = unknown> extends RemoteReference {
  #cached: Cached<T> | undefined = undefined;
  #fetching: Promise<T> | undefined = undefined;
  // Settles when the call that sets this Future finished (remotecallWait, spawn).
  #done: Promise<unknown> | undefined = undefined;

  /** An unset, write-once Future owned by process `pid` (this process by default). */
  constructor(pid?: number) {
    super('f', 1, pid, 'Future');
  }

  /**
   * Waits for the value and returns it, without removing it. Rejects with the
   * RemoteException of a failed call. The value is cached here after the first fetch.
   */
  fetch(options?: WaitOptions): Promise<T> {
    const c = this.#cached;
    if (c !== undefined) return c.ok ? Promise.resolve(c.v) : Promise.reject(c.e);
    if (options === undefined && this.#fetching !== undefined) return this.#fetching;
    const p = (this.runOp('fetch', undefined, options, 'fetch') as Promise<T>).then(
      (v) => {
        this.#setCache({ ok: true, v });
        return v;
      },
      (e: unknown) => {
        this.#fetching = undefined;
        if (isCallFailure(e)) this.#setCache({ ok: false, e });
        throw e;
      },
    );
    if (options === undefined) this.#fetching = p;
    return p;
  }

  /** Waits until the Future is set; resolves with the Future, rejects if the call that sets it failed. */
  wait(options?: WaitOptions): Promise<this> {
    const c = this.#cached;
    if (c !== undefined) return c.ok ? Promise.resolve(this) : Promise.reject(c.e);
    if (this.#done !== undefined && options === undefined) return this.#done.then(() => this);
    return this.runOp('wait', undefined, options, 'wait').then(() => this);
  }

  /** Whether a value (or failure) is there; asks the owner unless cached here. */
  isready(): Promise<boolean> {
    if (this.#cached !== undefined) return Promise.resolve(true);
    return this.runOp('isready', undefined, undefined, 'isready') as Promise<boolean>;
  }

  /** Sets the value (once: a second put rejects). Resolves with the Future. */
  put(value: T): Promise<this> {
    // A value cached here means it is set (and the owner may have freed it).
    if (this.#cached !== undefined) return Promise.reject(new Error('Future can be set only once'));
    return this.runOp('put', value, undefined, 'put').then(() => this);
  }

  [kFetch](options?: WaitOptions): Promise<T> {
    return this.fetch(options);
  }
  [kWait](options?: WaitOptions): Promise<this> {
    return this.wait(options);
  }
  [kIsReady](): Promise<boolean> {
    return this.isready();
  }
  [kPut](value: T): Promise<this> {
    return this.put(value);
  }

  override toString(): string {
    return `Future(${this.where}, ${this.id})`;
  }

  #setCache(c: Cached<T>): void {
    if (this.#cached !== undefined) return;
    this.#cached = c;
    this.#fetching = undefined;
    // Write-once: the value can never change, so the owner need not keep it for us.
    this.releaseHold();
  }

  /** @internal the cached value, if fetched */
  get cachedResult(): Cached<T> | undefined {
    return this.#cached;
  }

  /** @internal seeds the cache (a Future that arrived with its value) */
  seedCache(c: Cached<T>): void {
    this.#setCache(c);
  }

  /** @internal remotecallWait / spawn: settles when the call finished */
  setDone(p: Promise<unknown>): void {
    p.catch(() => {});
    this.#done = p;
  }
}

/** A failure of the call behind the Future, as opposed to a failed operation (timeout, abort, exited owner). */
function isCallFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'RemoteException';
}

/** A proxy for an existing Future id, found or made here. */
export function futureProxy<T>(id: string, where: number, n: number): Future<T> {
  const live = liveProxy(id);
  if (live instanceof Future) {
    if (n > 0) receivedAgain(live.token);
    return live as Future<T>;
  }
  return attach(id, where, n, () => new Future<T>());
}

interface FutureWire {
  readonly w: number;
  readonly r: string;
  /** 1: arrived with its value `v`; 2: with its failure `e`. */
  readonly s?: 1 | 2;
  readonly v?: unknown;
  readonly e?: WireError;
}

registerHandle<Future>({
  tag: 'future',
  is: (v): v is Future => v instanceof Future,
  encode(f, to): FutureWire {
    const c = f.cachedResult;
    if (c !== undefined) return c.ok ? { w: f.where, r: f.id, s: 1, v: c.v } : { w: f.where, r: f.id, s: 2, e: encodeError(c.e) };
    sharing(f.id, f.where, to);
    return { w: f.where, r: f.id };
  },
  decode(data) {
    const d = data as FutureWire;
    if (d.s === undefined) return futureProxy(d.r, d.w, 1);
    const f = futureProxy(d.r, d.w, 0);
    if (f.cachedResult === undefined) {
      f.seedCache(d.s === 1 ? { ok: true, v: d.v } : { ok: false, e: isWireError(d.e) ? decodeError(d.e) : d.e });
    }
    return f;
  },
});

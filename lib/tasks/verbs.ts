// The seed's generic verbs as free functions. Each dispatches on a protocol
// symbol (lib/tasks/protocol.ts), so tasks, conditions, channels, futures,
// remote and shared channels all answer them without this file knowing them.
import { ChildProcess } from 'node:child_process';
import { TimeoutError } from '../errors.js';
import {
  kClose,
  kFetch,
  kIsReady,
  kPut,
  kTake,
  kWait,
  type Closable,
  type Fetchable,
  type Puttable,
  type Readiable,
  type Takeable,
  type WaitOptions,
  type Waitable,
} from './protocol.js';
import { waitForSwitch } from './switching.js';
import { checkWaitOptions, describe } from './wait-options.js';

function has(x: unknown, key: symbol): boolean {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as Record<symbol, unknown>)[key] === 'function';
}

/**
 * Waits for `x`: a Task (its result), a Condition (the notified value), a
 * Channel (until a value is available), a Future or remote reference, or a
 * `ChildProcess` (its exit code; null if a signal killed it, see `signalCode`).
 * With no argument, parks the current task until `schedule(t, val)` or
 * `yieldto(t, val)` resumes it, and resolves with `val`.
 */
export function wait(): Promise<unknown>;
export function wait(x: ChildProcess, options?: WaitOptions): Promise<number | null>;
export function wait<R>(x: Waitable<R>, options?: WaitOptions): Promise<R>;
export function wait(x?: unknown, options?: WaitOptions): Promise<unknown> {
  if (arguments.length === 0) return waitForSwitch();
  if (has(x, kWait)) return (x as Waitable)[kWait](options);
  if (x instanceof ChildProcess) return waitForExit(x, options);
  return Promise.reject(new TypeError(`wait: cannot wait on ${describe(x)}`));
}

/** Waits for a value and returns it without removing it (Task result, Channel head, Future value). */
export function fetch<T>(x: Fetchable<T>, options?: WaitOptions): Promise<T> {
  if (has(x, kFetch)) return x[kFetch](options);
  return Promise.reject(new TypeError(`fetch: cannot fetch from ${describe(x)}`));
}

/** Whether `fetch`/`take` would complete now: a boolean for local things, a Promise for remote ones. */
export function isready(x: Readiable & { [kIsReady](): boolean }): boolean;
export function isready(x: Readiable): boolean | Promise<boolean>;
export function isready(x: Readiable): boolean | Promise<boolean> {
  if (has(x, kIsReady)) return x[kIsReady]();
  throw new TypeError(`isready: cannot ask ${describe(x)}`);
}

/** Stores `value` into a channel or reference, waiting while it is full. */
export function put<T>(x: Puttable<T>, value: T, options?: WaitOptions): Promise<unknown> {
  if (has(x, kPut)) return x[kPut](value, options);
  return Promise.reject(new TypeError(`put: cannot put into ${describe(x)}`));
}

/** Removes and returns a value, waiting while there is none. */
export function take<T>(x: Takeable<T>, options?: WaitOptions): Promise<T> {
  if (has(x, kTake)) return x[kTake](options);
  return Promise.reject(new TypeError(`take: cannot take from ${describe(x)}`));
}

/** Closes a channel (or anything closable). */
export function close(x: Closable): void | Promise<void> {
  if (has(x, kClose)) return x[kClose]();
  throw new TypeError(`close: cannot close ${describe(x)}`);
}

function waitForExit(child: ChildProcess, options: WaitOptions | undefined): Promise<number | null> {
  try {
    checkWaitOptions(options, 'wait');
  } catch (e) {
    return Promise.reject(e);
  }
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const { timeout, signal } = options ?? {};
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): void => {
      child.off('exit', onExit);
      child.off('error', onError);
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      resolve(code);
    };
    const onError = (err: Error): void => {
      // A child that never started (ENOENT, EACCES) emits 'error' and no 'exit'.
      if (child.pid === undefined) {
        cleanup();
        reject(err);
      }
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal!.reason);
    };
    child.on('exit', onExit);
    child.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined && timeout * 1000 <= 2 ** 31 - 1) {
      timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(timeout, `wait on process ${child.pid}`));
      }, timeout * 1000);
    }
  });
}

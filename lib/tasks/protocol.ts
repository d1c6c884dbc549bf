// The seed's generic verbs (wait, fetch, isready, put, take, close) dispatch on
// these symbols, so that tasks, channels, futures, remote channels and shared
// channels all answer the same free functions without this layer knowing them.

/** How long a wait may last: `timeout` in seconds, or until `signal` aborts. */
export interface WaitOptions {
  timeout?: number;
  signal?: AbortSignal;
}

export const kWait: unique symbol = Symbol.for('loom.wait');
export const kFetch: unique symbol = Symbol.for('loom.fetch');
export const kIsReady: unique symbol = Symbol.for('loom.isready');
export const kPut: unique symbol = Symbol.for('loom.put');
export const kTake: unique symbol = Symbol.for('loom.take');
export const kClose: unique symbol = Symbol.for('loom.close');

/** Something `wait(x)` accepts; resolves with what waiting on it yields. */
export interface Waitable<R = unknown> {
  [kWait](options?: WaitOptions): Promise<R>;
}
/** Something `fetch(x)` accepts: waits for a value without removing it. */
export interface Fetchable<T = unknown> {
  [kFetch](options?: WaitOptions): Promise<T>;
}
/** `isready(x)`: a boolean for local things, a Promise of one for remote ones. */
export interface Readiable {
  [kIsReady](): boolean | Promise<boolean>;
}
export interface Puttable<T = unknown> {
  [kPut](value: T, options?: WaitOptions): Promise<unknown>;
}
export interface Takeable<T = unknown> {
  [kTake](options?: WaitOptions): Promise<T>;
}
export interface Closable {
  [kClose](): void | Promise<void>;
}

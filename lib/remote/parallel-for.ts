// `@parallel [reducer] for i = range`: one contiguous chunk per worker. With a
// reducer, each worker reduces its chunk and the caller reduces the workers'
// values in chunk order; without one, the calls start and their Futures come
// back at once (registered with the enclosing `sync`, which waits for them).
import { myid, nprocs, workers } from '../cluster/index.js';
import { toRange, type RangeLike } from '../range.js';
import { inSync, trackInSync } from '../tasks/sync.js';
import { describe } from '../tasks/wait-options.js';
import { registerBuiltin } from './function-shipping.js';
import type { Future } from './future.js';
import { checkPid } from './pids.js';
import { remotecallFetch, startCall } from './remotecall.js';
import { splitrange } from './splitrange.js';
import { isThenable } from '../tasks/thenable.js';

/** A reducer: combines two values (Julia's `(+)`, `vcat`, ...). May be async. */
export type Reducer<R> = (a: R, b: R) => R | Promise<R>;

export interface ParallelForOptions<R> {
  /** Combines the bodies' values; without it parallelFor returns the chunks' Futures at once. */
  reducer?: Reducer<R>;
  /** Extra arguments for the body: `body(i, ...args)` (SharedArrays travel by reference). */
  args?: readonly unknown[];
  /** The processes to split the range over (default: every worker). */
  pids?: readonly number[];
}

type Body = (i: number, ...args: never[]) => unknown;


/** Runs a chunk on a worker: each i of [start, stop), reduced there when a reducer is given. */
export const parallelForChunk = registerBuiltin(
  'parallelFor.chunk',
  async (
    body: (i: number, ...args: unknown[]) => unknown,
    reducer: ((a: unknown, b: unknown) => unknown) | undefined,
    start: number,
    stop: number,
    args: unknown[],
  ): Promise<unknown> => {
    if (reducer === undefined) {
      for (let i = start; i < stop; i++) {
        const v = body(i, ...args);
        if (isThenable(v)) await v;
      }
      return undefined;
    }
    let acc = body(start, ...args);
    if (isThenable(acc)) acc = await acc;
    for (let i = start + 1; i < stop; i++) {
      let v = body(i, ...args);
      if (isThenable(v)) v = await v;
      acc = reducer(acc, v);
      if (isThenable(acc)) acc = await acc;
    }
    return acc;
  },
);

/** Without a reducer: starts one call per chunk and returns their Futures at once. */
export function parallelFor(range: RangeLike, body: Body, options?: { args?: readonly unknown[]; pids?: readonly number[] }): Future<void>[];
/** With a reducer: resolves with the reduction of body(i) over the range. */
export function parallelFor<R>(range: RangeLike, body: (i: number, ...args: never[]) => R | Promise<R>, reducer: Reducer<R>): Promise<R>;
export function parallelFor<R>(
  range: RangeLike,
  body: (i: number, ...args: never[]) => R | Promise<R>,
  options: ParallelForOptions<R> & { reducer: Reducer<R> },
): Promise<R>;
export function parallelFor<R>(
  range: RangeLike,
  body: Body,
  reducerOrOptions?: Reducer<R> | ParallelForOptions<R>,
): Future<void>[] | Promise<R> {
  const r = toRange(range, 'parallelFor: range');
  if (typeof body !== 'function') throw new TypeError(`parallelFor: body must be a function, got ${describe(body)}`);
  let reducer: Reducer<R> | undefined;
  let args: unknown[] = [];
  let pids: number[];
  let opts: ParallelForOptions<R> = {};
  if (typeof reducerOrOptions === 'function') reducer = reducerOrOptions;
  else if (reducerOrOptions !== undefined) {
    if (reducerOrOptions === null || typeof reducerOrOptions !== 'object') {
      throw new TypeError(`parallelFor: the third argument must be a reducer function or { reducer, args, pids }, got ${describe(reducerOrOptions)}`);
    }
    opts = reducerOrOptions;
    for (const k of Object.keys(opts)) {
      if (k !== 'reducer' && k !== 'args' && k !== 'pids') throw new TypeError(`parallelFor: unknown option ${JSON.stringify(k)}`);
    }
    if (opts.reducer !== undefined && typeof opts.reducer !== 'function') {
      throw new TypeError(`parallelFor: options.reducer must be a function, got ${describe(opts.reducer)}`);
    }
    reducer = opts.reducer;
    if (opts.args !== undefined) {
      if (!Array.isArray(opts.args)) throw new TypeError(`parallelFor: options.args must be an array, got ${describe(opts.args)}`);
      args = [...opts.args];
    }
  }
  if (opts.pids !== undefined) {
    if (!Array.isArray(opts.pids) || opts.pids.length === 0) {
      throw new TypeError('parallelFor: options.pids must be a non-empty array of process ids');
    }
    pids = opts.pids.map((p) => checkPid(p, 'parallelFor'));
  } else pids = nprocs() === 1 ? [myid()] : workers();
  const chunks = splitrange(r.start, r.stop, pids.length);

  if (reducer === undefined) {
    const tracked = inSync();
    return chunks.map((c, k) => {
      const fut = startCall<void>(pids[k]!, parallelForChunk, [body, undefined, c.start, c.stop, args], tracked ? 'w' : 'F', 'parallelFor');
      if (tracked) trackInSync(() => fut.wait());
      return fut;
    });
  }
  const red = reducer as (a: unknown, b: unknown) => unknown;
  const fn = body as unknown as (i: number, ...args: unknown[]) => unknown;
  return (async () => {
    if (chunks.length === 0) throw new TypeError('parallelFor: reducing over an empty range has no value');
    const parts = await Promise.all(
      chunks.map((c, k) => remotecallFetch(pids[k]!, parallelForChunk, fn, red, c.start, c.stop, args)),
    );
    let acc = parts[0] as R;
    for (let k = 1; k < parts.length; k++) acc = (await red(acc, parts[k])) as R;
    return acc;
  })();
}

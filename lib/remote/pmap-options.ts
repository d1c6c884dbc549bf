// pmap's options: what they mean, and their checks (each error names the option).
import { describe } from '../tasks/wait-options.js';

export interface PmapOptions<R = unknown> {
  /** Retry an item that failed once, on a different process (default true). Ignored with errStop. */
  errRetry?: boolean;
  /** Stop at the first error and reject with it once the work in flight settled (default false). */
  errStop?: boolean;
  /** The processes to use (default: every worker; this process alone when there are none). */
  pids?: readonly number[];
  /** Items per message: a positive integer, or 'auto' (default) to size batches by measured cost. */
  batchSize?: number | 'auto';
  /** Seconds to wait before each retry; its length is the number of retries (default [0] with errRetry). */
  retryDelays?: Iterable<number>;
  /** Runs here for an item that finally failed; its value (or resolved value) takes the item's place. */
  onError?: (error: Error, ...items: unknown[]) => R | Promise<R>;
  /** Aborting rejects pmap with the signal's reason and sends no more work. */
  signal?: AbortSignal;
  /** Called here as items complete, with how many are done and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** A progress bar on stderr: true, false, or 'auto' (default: on a TTY, for runs longer than a second). */
  progress?: boolean | 'auto';
}

/** A list pmap maps over, as it is sliced into batches. */
export type Column = ArrayLike<unknown> & { slice(start: number, end: number): ArrayLike<unknown> };

export function isOptions(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  if (typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const knownOptions = new Set(['errRetry', 'errStop', 'pids', 'batchSize', 'retryDelays', 'onError', 'signal', 'onProgress', 'progress']);

export function checkOptions(o: PmapOptions<unknown>): void {
  for (const k of Object.keys(o)) if (!knownOptions.has(k)) throw new TypeError(`pmap: unknown option ${JSON.stringify(k)}`);
  for (const k of ['errRetry', 'errStop'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new TypeError(`pmap: options.${k} must be a boolean, got ${describe(o[k])}`);
  }
  if (o.pids !== undefined && (!Array.isArray(o.pids) || o.pids.length === 0)) {
    throw new TypeError('pmap: options.pids must be a non-empty array of process ids');
  }
  if (o.batchSize !== undefined && o.batchSize !== 'auto' && !(Number.isSafeInteger(o.batchSize) && o.batchSize >= 1)) {
    throw new RangeError(`pmap: options.batchSize must be a positive integer or 'auto', got ${describe(o.batchSize)}`);
  }
  if (o.retryDelays !== undefined) {
    if (typeof (o.retryDelays as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`pmap: options.retryDelays must be an iterable of seconds, got ${describe(o.retryDelays)}`);
    }
    for (const d of o.retryDelays) {
      if (typeof d !== 'number' || !(d >= 0) || !Number.isFinite(d)) {
        throw new RangeError(`pmap: options.retryDelays must hold finite numbers of seconds >= 0, got ${describe(d)}`);
      }
    }
  }
  for (const k of ['onError', 'onProgress'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new TypeError(`pmap: options.${k} must be a function, got ${describe(o[k])}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`pmap: options.signal must be an AbortSignal, got ${describe(o.signal)}`);
  }
  if (o.progress !== undefined && typeof o.progress !== 'boolean' && o.progress !== 'auto') {
    throw new TypeError(`pmap: options.progress must be true, false or 'auto', got ${describe(o.progress)}`);
  }
}

export function toColumn(l: unknown, k: number): Column {
  if (Array.isArray(l)) return l;
  if (ArrayBuffer.isView(l) && !(l instanceof DataView)) return l as unknown as Column;
  if (l !== null && typeof l === 'object' && typeof (l as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    return Array.from(l as Iterable<unknown>);
  }
  throw new TypeError(`pmap: list ${k + 1} must be an array or an iterable, got ${describe(l)}`);
}

// pmap: maps fn over zipped lists on a pool of processes, keeping each busy.
//
// Scheduling is dynamic: every process has a few batches in flight and gets
// the next one as soon as one comes back, so fast processes do more. A batch
// is a contiguous run of items sent as column slices (one message there, one
// back); with `batchSize: 'auto'` its size follows the measured cost per item
// (about kTargetMs of work) and shrinks toward the end (guided scheduling), so
// trivial items are not one message each while slow items still spread out.
// Semantics stay per item whatever the batch: an item that throws is retried
// alone, on another process, and holds its own error or onError's value.
import { myid, nprocs, workers } from '../cluster/index.js';
import { ProcessExitedException } from '../errors.js';
import { describe } from '../tasks/wait-options.js';
import { decodeError } from './errors-wire.js';
import { checkPid } from './pids.js';
import { pmapBatch, type BatchResult } from './pmap-batch.js';
import { checkOptions, isOptions, toColumn, type Column, type PmapOptions } from './pmap-options.js';
import { ProgressBar } from './progress-bar.js';
import { remotecallFetch } from './remotecall.js';

export type { PmapOptions } from './pmap-options.js';

const kTargetMs = 10;
const kAutoDepth = 2;

interface Retry {
  readonly index: number;
  readonly attempt: number;
  readonly exclude: number;
  readonly notBefore: number;
}

interface Worker {
  readonly pid: number;
  inFlight: number;
  /** Measured milliseconds per item (NaN until a batch came back). */
  perItem: number;
  dead: boolean;
}

type PmapResult<R> = Awaited<R> | Error;

/**
 * `pmap(fn, ...lists, options?)`: fn applied to the zipped lists (as long as
 * the shortest), in parallel over the pool, results in order. An item that
 * still fails after its retries holds its RemoteException (or onError's
 * value) in its place, unless `errStop`.
 */
export function pmap<R>(
  fn: (...args: never[]) => R,
  ...listsAndOptions: [...lists: Iterable<unknown>[], options: PmapOptions<Awaited<R>>] | Iterable<unknown>[]
): Promise<PmapResult<R>[]> {
  return new Promise<PmapResult<R>[]>((resolve, reject) => {
    new PmapRun<R>(fn as (...args: unknown[]) => R, listsAndOptions, resolve, reject).start();
  });
}

class PmapRun<R> {
  readonly fn: (...args: unknown[]) => R;
  readonly cols: Column[];
  readonly n: number;
  readonly results: unknown[];
  readonly pool: Worker[];
  readonly errStop: boolean;
  readonly delays: number[];
  readonly batchSize: number | 'auto';
  readonly depth: number;
  readonly onError: PmapOptions<R>['onError'];
  readonly onProgress: PmapOptions<R>['onProgress'];
  readonly signal: AbortSignal | undefined;
  readonly bar: ProgressBar | undefined;
  next = 0;
  done = 0;
  retries: Retry[] = [];
  inFlight = 0;
  pendingOnError = 0;
  stopping = false;
  firstError: unknown = undefined;
  finished = false;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly resolve: (v: PmapResult<R>[]) => void;
  readonly reject: (e: unknown) => void;
  readonly onAbort = (): void => this.finish(true, this.signal!.reason);

  constructor(
    fn: (...args: unknown[]) => R,
    listsAndOptions: unknown[],
    resolve: (v: PmapResult<R>[]) => void,
    reject: (e: unknown) => void,
  ) {
    if (typeof fn !== 'function') throw new TypeError(`pmap: fn must be a function, got ${describe(fn)}`);
    this.fn = fn;
    this.resolve = resolve;
    this.reject = reject;
    let opts: PmapOptions<R> = {};
    const last = listsAndOptions[listsAndOptions.length - 1];
    if (isOptions(last)) {
      opts = last as PmapOptions<R>;
      listsAndOptions = listsAndOptions.slice(0, -1);
    }
    checkOptions(opts);
    if (listsAndOptions.length === 0) throw new TypeError('pmap: give at least one list to map over');
    this.cols = listsAndOptions.map((l, k) => toColumn(l, k));
    this.n = Math.min(...this.cols.map((c) => c.length));
    this.results = new Array(this.n);
    this.errStop = opts.errStop === true;
    const errRetry = opts.errRetry !== false;
    this.delays = this.errStop ? [] : opts.retryDelays !== undefined ? [...opts.retryDelays] : errRetry ? [0] : [];
    this.batchSize = opts.batchSize ?? 'auto';
    this.depth = this.batchSize === 'auto' ? kAutoDepth : Math.max(2, Math.min(64, Math.ceil(64 / this.batchSize)));
    this.onError = opts.onError;
    this.onProgress = opts.onProgress;
    this.signal = opts.signal;
    const pids =
      opts.pids !== undefined ? [...new Set(opts.pids.map((p) => checkPid(p, 'pmap')))] : nprocs() === 1 ? [myid()] : workers();
    this.pool = pids.map((pid) => ({ pid, inFlight: 0, perItem: NaN, dead: false }));
    const showBar = opts.progress === true || ((opts.progress ?? 'auto') === 'auto' && process.stderr.isTTY === true);
    this.bar = showBar ? new ProgressBar(this.n, opts.progress === true ? 0 : 1000) : undefined;
  }

  start(): void {
    if (this.signal?.aborted) return this.finish(true, this.signal.reason);
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.n === 0) return this.finish();
    this.pump();
  }

  /** Sends work to every live process with room for it. */
  pump(): void {
    if (this.finished) return;
    if (this.stopping) {
      if (this.inFlight === 0 && this.pendingOnError === 0) this.finish(true, this.firstError);
      return;
    }
    const live = this.pool.filter((w) => !w.dead);
    if (live.length === 0) {
      this.failRemaining(new ProcessExitedException(this.pool[0]?.pid ?? 0, 'no process of the pool is left'));
      return;
    }
    let progress = true;
    while (progress) {
      progress = false;
      for (const w of live) {
        if (w.inFlight >= this.depth) continue;
        if (this.sendRetry(w, live.length) || this.sendFresh(w, live.length)) progress = true;
      }
    }
    this.maybeDone();
  }

  sendRetry(w: Worker, liveCount: number): boolean {
    const now = Date.now();
    const k = this.retries.findIndex((r) => r.notBefore <= now && (r.exclude !== w.pid || liveCount === 1));
    if (k < 0) {
      this.armRetryTimer();
      return false;
    }
    const r = this.retries.splice(k, 1)[0]!;
    this.send(w, [r.index], r.attempt);
    return true;
  }

  sendFresh(w: Worker, liveCount: number): boolean {
    const remaining = this.n - this.next;
    if (remaining <= 0) return false;
    let size: number;
    if (this.batchSize !== 'auto') size = this.batchSize;
    else if (Number.isNaN(w.perItem)) size = 1;
    else {
      const byTime = Math.floor(kTargetMs / Math.max(w.perItem, 1e-6));
      const guided = Math.ceil(remaining / (2 * liveCount));
      size = Math.max(1, Math.min(byTime, guided));
    }
    size = Math.min(size, remaining);
    const start = this.next;
    this.next += size;
    this.send(w, range(start, start + size), 0, start);
    return true;
  }

  /** Sends items (indices) to w; `contiguousFrom` says they are start..start+len-1. */
  send(w: Worker, indices: number[], attempt: number, contiguousFrom?: number): void {
    const cols =
      contiguousFrom !== undefined
        ? this.cols.map((c) => c.slice(contiguousFrom, contiguousFrom + indices.length))
        : this.cols.map((c) => indices.map((i) => c[i]));
    w.inFlight++;
    this.inFlight++;
    let p: Promise<BatchResult>;
    try {
      p = remotecallFetch(w.pid, pmapBatch, this.fn, cols);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (res) => this.onBatch(w, indices, attempt, res),
      (e: unknown) => this.onBatchFailed(w, indices, attempt, e),
    );
  }

  onBatch(w: Worker, indices: number[], attempt: number, res: BatchResult): void {
    w.inFlight--;
    this.inFlight--;
    if (this.finished) return;
    const per = res.t / indices.length;
    w.perItem = Number.isNaN(w.perItem) ? per : 0.5 * w.perItem + 0.5 * per;
    const failed = res.x;
    let f = 0;
    for (let k = 0; k < indices.length; k++) {
      if (failed !== undefined && f < failed.length && failed[f]![0] === k) {
        this.itemFailed(indices[k]!, attempt, w.pid, decodeError(failed[f]![1]));
        f++;
      } else {
        this.results[indices[k]!] = res.v[k];
        this.done++;
      }
    }
    this.progressed();
    this.pump();
  }

  onBatchFailed(w: Worker, indices: number[], attempt: number, e: unknown): void {
    w.inFlight--;
    this.inFlight--;
    if (this.finished) return;
    if (e instanceof ProcessExitedException) {
      w.dead = true;
      // Work lost with a process that died is not the items' fault: it goes
      // back to the queue (with errRetry), not counted as an attempt.
      for (const i of indices) {
        if (this.delays.length > 0) this.retries.push({ index: i, attempt, exclude: w.pid, notBefore: 0 });
        else this.itemFailed(i, this.delays.length, w.pid, e);
      }
    } else {
      for (const i of indices) this.itemFailed(i, attempt, w.pid, e);
    }
    this.pump();
  }

  itemFailed(index: number, attempt: number, pid: number, error: unknown): void {
    if (this.errStop) {
      if (!this.stopping) {
        this.stopping = true;
        this.firstError = error;
      }
      return;
    }
    if (attempt < this.delays.length) {
      const delay = this.delays[attempt]!;
      this.retries.push({ index, attempt: attempt + 1, exclude: pid, notBefore: delay > 0 ? Date.now() + delay * 1000 : 0 });
      return;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.onError === undefined) {
      this.results[index] = err;
      this.done++;
      return;
    }
    this.pendingOnError++;
    let v: unknown;
    try {
      v = this.onError(err, ...this.cols.map((c) => c[index]));
    } catch (e) {
      v = Promise.reject(e);
    }
    Promise.resolve(v).then(
      (value) => {
        this.pendingOnError--;
        this.results[index] = value;
        this.done++;
        this.progressed();
        this.pump();
      },
      (e: unknown) => {
        this.pendingOnError--;
        if (!this.stopping) {
          this.stopping = true;
          this.firstError = e;
        }
        this.pump();
      },
    );
  }

  failRemaining(e: ProcessExitedException): void {
    const todo: number[] = this.retries.map((r) => r.index);
    this.retries = [];
    for (let i = this.next; i < this.n; i++) todo.push(i);
    this.next = this.n;
    for (const i of todo) this.itemFailed(i, this.delays.length, 0, e);
    this.maybeDone();
  }

  armRetryTimer(): void {
    if (this.retryTimer !== undefined || this.retries.length === 0) return;
    const soonest = Math.min(...this.retries.map((r) => r.notBefore));
    const wait = soonest - Date.now();
    if (wait <= 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, wait);
  }

  progressed(): void {
    this.onProgress?.(this.done, this.n);
    this.bar?.update(this.done);
  }

  maybeDone(): void {
    if (this.finished) return;
    if (this.stopping) {
      if (this.inFlight === 0 && this.pendingOnError === 0) this.finish(true, this.firstError);
      return;
    }
    if (this.done === this.n && this.inFlight === 0 && this.pendingOnError === 0) this.finish();
  }

  /** Settles pmap: with the results, or (failed) rejected with `error`. */
  finish(failed = false, error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.bar?.end();
    if (failed) this.reject(error);
    else this.resolve(this.results as PmapResult<R>[]);
  }
}

function range(a: number, b: number): number[] {
  const out = new Array<number>(b - a);
  for (let i = a; i < b; i++) out[i - a] = i;
  return out;
}

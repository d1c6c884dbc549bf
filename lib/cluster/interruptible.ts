// The worker's side of interrupt(): work started by runInterruptible is what
// an interrupt cancels. The synchronous part runs inside a vm script with
// `breakOnSigint`, so even a busy loop is broken off; a pending async part has
// its promise rejected (and its AbortSignal aborted). Either way the call fails
// with InterruptException and the worker goes on serving.
//
// Cost: with the SIGINT helper thread parked (sigint-helper.ts) a run costs
// about a microsecond; without it, `breakOnSigint` starts and joins a watchdog
// thread per run (~35 µs or more). Either way runInterruptible batches every
// call made in one turn into one script run.
import vm from 'node:vm';
import { InterruptException } from '../errors.js';
import { isWorker } from './membership.js';
import { enterRun, leaveRun, startSigintHelper } from './sigint-helper.js';

interface Job {
  fn: (signal: AbortSignal) => unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  controller: AbortController;
  started: boolean;
}

const SLOT = Symbol.for('loom.cluster.interruptible');
const runner = new vm.Script('globalThis[Symbol.for("loom.cluster.interruptible")]()', {
  filename: 'loom:runInterruptible',
});
let queue: Job[] = [];
let scheduled = false;
/** Jobs whose synchronous part returned a promise still pending. */
const pendingAsync = new Set<Job>();
let sigintInstalled = false;

/**
 * Runs `fn` so that an interrupt of this worker makes it fail with
 * InterruptException: a synchronous busy loop included. `fn` gets an
 * AbortSignal that aborts on interrupt, for async work that can stop early.
 * On process 1 (which is never interrupted this way) it simply runs `fn`.
 */
export function runInterruptible<T>(fn: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
  if (!isWorker()) {
    const c = new AbortController();
    try {
      return Promise.resolve(fn(c.signal));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  installSigint();
  return new Promise<T>((resolve, reject) => {
    queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, controller: new AbortController(), started: false });
    if (!scheduled) {
      scheduled = true;
      // Nothing runs before the helper thread is parked: a run that blocks the main thread
      // earlier would keep it from ever learning that the helper is ready.
      if (helperSettled) queueMicrotask(drain);
      // (setImmediate: the 'cluster.interruptible' notice queued on the same promise leaves first.)
      else void helperReady.then(() => setImmediate(drain));
    }
  });
}

function drain(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  let next = 0;
  // The loop lives inside the script so that one watchdog covers the batch.
  (globalThis as Record<symbol, unknown>)[SLOT] = () => {
    while (next < batch.length) runOne(batch[next++]!);
  };
  while (next < batch.length) {
    enterRun();
    try {
      runner.runInThisContext({ breakOnSigint: true });
    } catch (e) {
      // Only the watchdog's termination gets here (runOne catches the rest).
      const job = batch[next - 1];
      if (job !== undefined && (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
        job.controller.abort(new InterruptException());
        job.reject(new InterruptException());
      } else if (job !== undefined) {
        job.reject(e);
      }
    } finally {
      leaveRun();
    }
  }
  delete (globalThis as Record<symbol, unknown>)[SLOT];
}

function runOne(job: Job): void {
  job.started = true;
  let r: unknown;
  try {
    r = job.fn(job.controller.signal);
  } catch (e) {
    job.reject(e);
    return;
  }
  if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
    pendingAsync.add(job);
    (r as PromiseLike<unknown>).then(
      (v) => {
        if (pendingAsync.delete(job)) job.resolve(v);
      },
      (e) => {
        if (pendingAsync.delete(job)) job.reject(e);
      },
    );
  } else {
    job.resolve(r);
  }
}

let helperReady: Promise<boolean> = Promise.resolve(false);
let helperSettled = false;

function installSigint(): void {
  if (sigintInstalled) return;
  sigintInstalled = true;
  helperReady = startSigintHelper(onWorkerSigint).then((ok) => {
    // Without the helper, a plain listener keeps SIGINT from killing the worker (runs then cost more).
    if (!ok) process.on('SIGINT', onWorkerSigint);
    helperSettled = true;
    return ok;
  });
}

/** A SIGINT outside a script run: fails the async calls in flight. */
export function onWorkerSigint(): void {
  const jobs = [...pendingAsync];
  pendingAsync.clear();
  for (const job of jobs) {
    job.controller.abort(new InterruptException());
    job.reject(new InterruptException());
  }
}

/**
 * The worker runtime calls this first thing; the join waits for the promise,
 * so that no interrupt can reach a worker before it is able to take one.
 */
export function installWorkerSigintHandler(): Promise<boolean> {
  installSigint();
  return helperReady;
}

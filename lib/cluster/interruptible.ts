// The worker's side of interrupt(): work started by runInterruptible (or queued
// by a layer above with queueInterruptible) is what an interrupt cancels. The
// synchronous part runs inside a vm script with `breakOnSigint`, so even a busy
// loop is broken off; a pending async part is failed (its AbortSignal aborted).
// Either way only the work that was running fails, with InterruptException, and
// the worker goes on serving.
//
// Two ways to break a run. With the native runtime (native-runtime.ts) a run is
// one call into the addon, which asks V8 to terminate it when a SIGINT comes
// (~0.2 µs a run). Without it, the run is a `vm` script with `breakOnSigint`,
// and a parked helper thread (sigint-helper.ts) keeps Node's watchdog alive so
// that a run costs about a microsecond rather than a watchdog thread's start
// and join (~35 µs). Everything queued in one turn shares one run; the remote
// layer queues one Interruptible for all the calls of a turn (no Promise,
// AbortController or closure per call).
import vm from 'node:vm';
import { InterruptException } from '../errors.js';
import { isThenable } from '../tasks/thenable.js';
import { isWorker, send } from './membership.js';
import { provideInterruptHandling } from './interrupt-hook.js';
import { clusterLog } from './log.js';
import { queueJob } from './microtask.js';
import { nativeRuntime, type NativeRuntime } from './native-runtime.js';
import { enterRun, leaveRun, setIdleSigintHandler, startSigintHelper } from './sigint-helper.js';

/**
 * Work for one interruptible run (internal: the remote layer's call runner).
 * `run` executes inside the vm script; if an interrupt (or any exception)
 * breaks it off, `broken(e)` is told and returns true when `run` has more to do
 * (it is then called again, in a fresh run, to continue where it stopped).
 * `after` is called once the whole run is over, outside the script: deliver
 * outcomes there, so that nothing of the send path runs where an interrupt
 * can strike.
 */
export interface Interruptible {
  run(): void;
  broken(e: unknown): boolean;
  after(): void;
}

/** Work whose async part an interrupt outside a run fails (internal). */
export interface AsyncInterruptible {
  /** Its outcome; an interrupt's failure, or the promise's. Once only: later outcomes are dropped. */
  settle(ok: boolean, value: unknown): void;
  /** The interrupt's own hook, before settle(false, e) (an AbortSignal to abort, say). */
  interrupted?(e: InterruptException): void;
}

const SLOT = Symbol.for('loom.cluster.interruptible');
/** The fallback's script (made when first needed: with the native runtime, never). */
let runner: vm.Script | null = null;

function fallbackScript(): vm.Script {
  return (runner ??= new vm.Script('globalThis[Symbol.for("loom.cluster.interruptible")]()', { filename: 'loom:runInterruptible' }));
}
/** What is queued for the next run, and the run in progress (two arrays, swapped: no garbage per turn). */
let queue: Interruptible[] = [];
let running: Interruptible[] = [];
let at = 0;
let scheduled = false;
/** Async work in flight: an interrupt while no run is going fails all of it. */
const pendingAsync = new Set<AsyncInterruptible>();
let sigintInstalled = false;

/** One run: the loop lives inside it, so that one run covers the whole batch. */
function runBatch(): void {
  const batch = running;
  while (at < batch.length) {
    batch[at]!.run();
    at++;
  }
}
// Where the vm script finds it.
(globalThis as Record<symbol, unknown>)[SLOT] = runBatch;
/** The native runtime's runInterruptible, once it handles this worker's SIGINT. */
let runNative: NativeRuntime['runInterruptible'] | null = null;

/** Queues `work` for the next interruptible run (a microtask from now, with everything else queued in this turn). */
export function queueInterruptible(work: Interruptible): void {
  queue.push(work);
  if (scheduled) return;
  // Process 1 is never interrupted this way: no script, no SIGINT helper (Ctrl-C must stay Ctrl-C there).
  if (!isWorker()) {
    queueJob(drainPlain);
  } else {
    installSigint();
    // Nothing runs before the helper thread is parked: a run that blocks the main thread
    // earlier would keep it from ever learning that the helper is ready.
    if (sigintSettled) queueJob(drain);
    // (setImmediate: the 'cluster.interruptible' notice queued on the same promise leaves first.)
    else void sigintReady.then(() => setImmediate(drain));
  }
  // Marked once queued (this may run inside a run, where an interrupt can strike between any two
  // statements): at worst a spare drain finds nothing to do, never is work left unscheduled.
  scheduled = true;
}

/**
 * `work`'s async part: `work.settle` gets the outcome of `p`, unless an
 * interrupt while it is pending fails `work` first.
 */
export function settleWhenDone(work: AsyncInterruptible, p: PromiseLike<unknown>): void {
  pendingAsync.add(work);
  Promise.resolve(p).then(
    (v) => {
      if (pendingAsync.delete(work)) work.settle(true, v);
    },
    (e: unknown) => {
      if (pendingAsync.delete(work)) work.settle(false, e);
    },
  );
}

/** Swaps the queue with the (empty) running list and returns what was queued. */
function takeBatch(): Interruptible[] {
  scheduled = false;
  const batch = queue;
  queue = running;
  running = batch;
  at = 0;
  return batch;
}

function drain(): void {
  const batch = takeBatch();
  while (at < batch.length) {
    enterRun();
    try {
      if (runNative !== null) runNative(runBatch);
      else fallbackScript().runInThisContext({ breakOnSigint: true });
    } catch (e) {
      // Only an interrupt (or a failure of the bookkeeping itself) gets here.
      const work = batch[at];
      const error = (e as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' ? new InterruptException() : e;
      if (work === undefined || !work.broken(error)) at++;
    } finally {
      leaveRun();
    }
  }
  finishBatch(batch);
}

/** drain() for process 1: the same protocol, run directly. */
function drainPlain(): void {
  const batch = takeBatch();
  while (at < batch.length) {
    try {
      runBatch();
    } catch (e) {
      const work = batch[at];
      if (work === undefined || !work.broken(e)) at++;
    }
  }
  finishBatch(batch);
}

function finishBatch(batch: Interruptible[]): void {
  for (let i = 0; i < batch.length; i++) {
    try {
      batch[i]!.after();
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
  batch.length = 0;
}

/** One runInterruptible call. */
class Job<T> implements Interruptible, AsyncInterruptible {
  readonly fn: (signal: AbortSignal) => T | Promise<T>;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
  readonly controller = new AbortController();
  settled = false;

  constructor(fn: (signal: AbortSignal) => T | Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void) {
    this.fn = fn;
    this.resolve = resolve;
    this.reject = reject;
  }

  run(): void {
    let r: T | Promise<T>;
    try {
      r = this.fn(this.controller.signal);
    } catch (e) {
      this.settle(false, e);
      return;
    }
    if (isThenable(r)) settleWhenDone(this, r);
    else this.settle(true, r);
  }

  broken(e: unknown): boolean {
    if (e instanceof InterruptException) this.controller.abort(new InterruptException());
    this.settle(false, e);
    return false;
  }

  interrupted(e: InterruptException): void {
    this.controller.abort(e);
  }

  after(): void {}

  settle(ok: boolean, v: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (ok) this.resolve(v as T);
    else this.reject(v);
  }
}

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
  return new Promise<T>((resolve, reject) => queueInterruptible(new Job(fn, resolve, reject)));
}

let sigintReady: Promise<boolean> = Promise.resolve(false);
let sigintSettled = false;

function installSigint(): void {
  if (sigintInstalled) return;
  sigintInstalled = true;
  if (installNativeSigint()) return;
  setIdleSigintHandler(onWorkerSigint);
  sigintReady = startSigintHelper().then((ok) => {
    // Without the helper, a plain listener keeps SIGINT from killing the worker (runs then cost more).
    if (!ok) process.on('SIGINT', onWorkerSigint);
    sigintSettled = true;
    tellInterruptible();
    return ok;
  });
}

/** SIGINT by the native runtime: in place at once. False if it is not built or could not install. */
function installNativeSigint(): boolean {
  const runtime = nativeRuntime();
  if (runtime === undefined) return false;
  try {
    runtime.installInterrupts(onWorkerSigint, process.ppid);
  } catch (e) {
    clusterLog(`native SIGINT handling could not start (${(e as Error)?.message ?? e}); using the helper thread`);
    return false;
  }
  runNative = runtime.runInterruptible;
  sigintReady = Promise.resolve(true);
  sigintSettled = true;
  tellInterruptible();
  return true;
}

/** Process 1 sends no SIGINT to a worker before this notice: from now on a SIGINT cannot kill it. */
function tellInterruptible(): void {
  try {
    send(1, { type: 'cluster.interruptible' });
  } catch {
    // Process 1 is gone: this worker is exiting.
  }
}

/** A SIGINT outside a script run: fails the async work in flight. */
export function onWorkerSigint(): void {
  const works = [...pendingAsync];
  pendingAsync.clear();
  for (const w of works) {
    const e = new InterruptException();
    w.interrupted?.(e);
    w.settle(false, e);
  }
}

/**
 * Starts this worker's SIGINT handling (native, or the helper thread) once; process 1 gets
 * the 'cluster.interruptible' notice when it is in place, and again for each
 * later call (the worker runtime calls this to answer process 1's question).
 */
export function installWorkerSigintHandler(): Promise<boolean> {
  if (sigintInstalled) {
    return sigintReady.then((ok) => {
      tellInterruptible();
      return ok;
    });
  }
  installSigint();
  return sigintReady;
}

provideInterruptHandling(() => void installWorkerSigintHandler());

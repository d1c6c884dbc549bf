// Runs the calls that other processes send here. Calls that arrive in one
// turn run together in ONE runInterruptible job (one vm run, one AbortSignal,
// one Promise), so a burst of small calls does not pay the interrupt machinery
// per call. Interrupt semantics stay per call:
//   - an interrupt during call k's synchronous part fails call k with
//     InterruptException; the calls after it run in a fresh job;
//   - an interrupt while calls of the job are still pending asynchronously
//     fails those calls.
// Outcomes are delivered (replies sent) only after the job's synchronous run
// returned: nothing of the cluster's send path ever runs inside the vm script
// that an interrupt may break off.
import { runInterruptible } from '../cluster/index.js';

/** What becomes of a call: `ok` and its value, or not `ok` and the error. */
export type CallDone = (ok: boolean, value: unknown) => void;

interface Call {
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  readonly done: CallDone;
  settled: boolean;
}

let queue: Call[] = [];
let jobQueued = false;

/** Queues fn(...args); `done` is called once with its outcome. */
export function runCall(fn: (...args: unknown[]) => unknown, args: unknown[], done: CallDone): void {
  queue.push({ fn, args, done, settled: false });
  if (!jobQueued) {
    jobQueued = true;
    // The job takes the queue when it starts (runInterruptible starts it in a
    // microtask): every call dispatched in this turn by then runs in it.
    runBatch(null, 0);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

function settle(c: Call, ok: boolean, value: unknown): void {
  if (c.settled) return;
  c.settled = true;
  c.done(ok, value);
}

/** Runs `batch` from index `from` in one job; a null batch is the queue as it is when the job starts. */
function runBatch(given: Call[] | null, from: number): void {
  let batch: Call[] = given ?? [];
  let k = from;
  let inSyncPart = true;
  // Outcomes of synchronous calls, delivered once the run is over.
  const syncOk: boolean[] = [];
  const syncValue: unknown[] = [];
  let pendingAsync: Call[] | undefined;
  let finished: Promise<void>[] | undefined;
  let taken = given !== null;
  const job = (): unknown => {
    if (!taken) {
      jobQueued = false;
      batch = queue;
      queue = [];
      taken = true;
    }
    for (; k < batch.length; k++) {
      const c = batch[k]!;
      let v: unknown;
      try {
        v = c.fn(...c.args);
      } catch (e) {
        syncOk[k - from] = false;
        syncValue[k - from] = e;
        continue;
      }
      if (!isThenable(v)) {
        syncOk[k - from] = true;
        syncValue[k - from] = v;
        continue;
      }
      (pendingAsync ??= []).push(c);
      (finished ??= []).push(
        Promise.resolve(v).then(
          (r) => settle(c, true, r),
          (e: unknown) => settle(c, false, e),
        ),
      );
    }
    inSyncPart = false;
    // Pending while any of them is: an interrupt then fails those still running.
    return finished === undefined ? undefined : Promise.all(finished);
  };
  const deliverSync = (upTo: number): void => {
    for (let j = from; j < upTo; j++) {
      const c = batch[j]!;
      if (syncOk[j - from] !== undefined) settle(c, syncOk[j - from]!, syncValue[j - from]);
    }
  };
  runInterruptible(job).then(
    () => deliverSync(batch.length),
    (e: unknown) => {
      if (!taken) {
        // Broken off before it took the queue (an interrupt at its first instruction): nothing ran.
        jobQueued = false;
        if (queue.length > 0) {
          jobQueued = true;
          runBatch(null, 0);
        }
        return;
      }
      if (inSyncPart) {
        // Broken off during call k: it fails; those before it completed; those after it run anew.
        deliverSync(k);
        const c = batch[k];
        if (c !== undefined) settle(c, false, e);
        if (k + 1 < batch.length) runBatch(batch, k + 1);
        return;
      }
      deliverSync(batch.length);
      for (const c of pendingAsync ?? []) settle(c, false, e);
    },
  );
}

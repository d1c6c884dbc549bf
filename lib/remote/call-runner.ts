// Runs the calls that other processes send here. Calls that arrive in one
// turn run together in ONE interruptible run (one vm script run), and nothing
// is allocated per call beyond its record: no Promise, AbortController or
// closure for a call that completes synchronously. Interrupt semantics stay
// per call:
//   - an interrupt during call k's synchronous part fails call k with
//     InterruptException; the calls after it run on (in a fresh script run);
//   - an interrupt while calls are pending asynchronously fails those calls.
// Outcomes of synchronous calls are delivered (replies queued) only once the
// run is over: nothing of the cluster's send path ever runs inside the vm
// script that an interrupt may break off. Replies of one turn leave in one
// write (the cluster's frame writer flushes once per turn).
import { queueInterruptible, settleWhenDone, type AsyncInterruptible, type Interruptible } from '../cluster/index.js';
import { isThenable } from '../tasks/thenable.js';

/**
 * What becomes of a call: `ok` and its value, or not `ok` and the error.
 * `from` and `request` are runCall's, handed back so that the common outcome
 * (a reply to the caller) needs no closure per call.
 */
export type CallDone = (ok: boolean, value: unknown, from: number, request: number) => void;

const enum State {
  Queued,
  /** Finished synchronously: the outcome waits in the record until the run is over. */
  Finished,
  /** Returned a promise: settles by itself (or by an interrupt). */
  Async,
  Settled,
}

class Call implements AsyncInterruptible {
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  readonly done: CallDone;
  readonly from: number;
  readonly request: number;
  state = State.Queued;
  ok = false;
  value: unknown = undefined;

  constructor(fn: (...args: unknown[]) => unknown, args: unknown[], done: CallDone, from: number, request: number) {
    this.fn = fn;
    this.args = args;
    this.done = done;
    this.from = from;
    this.request = request;
  }

  /** Runs the synchronous part (inside the script). */
  start(): void {
    let v: unknown;
    try {
      v = this.fn(...this.args);
    } catch (e) {
      this.finish(false, e);
      return;
    }
    if (!isThenable(v)) {
      this.finish(true, v);
      return;
    }
    this.state = State.Async;
    settleWhenDone(this, v);
  }

  finish(ok: boolean, value: unknown): void {
    this.state = State.Finished;
    this.ok = ok;
    this.value = value;
  }

  settle(ok: boolean, value: unknown): void {
    if (this.state === State.Settled) return;
    this.state = State.Settled;
    this.value = undefined;
    this.done(ok, value, this.from, this.request);
  }
}

/** The calls of this turn's run; `next` is the one running (or to run). Swapped with `spare` per run. */
let calls: Call[] = [];
let spare: Call[] = [];
let next = 0;
let queued = false;

const batchRun: Interruptible = {
  run(): void {
    const batch = calls;
    while (next < batch.length) {
      batch[next]!.start();
      next++;
    }
  },
  broken(e: unknown): boolean {
    const c = calls[next];
    // Broken off inside call `next`: it fails. (Right after it finished, the interrupt is moot.)
    if (c !== undefined && c.state === State.Queued) c.finish(false, e);
    next++;
    return next < calls.length;
  },
  after(): void {
    const batch = calls;
    calls = spare;
    spare = batch;
    next = 0;
    queued = false;
    for (let i = 0; i < batch.length; i++) {
      const c = batch[i]!;
      if (c.state !== State.Finished) continue;
      try {
        c.settle(c.ok, c.value);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    batch.length = 0;
  },
};

/** Queues fn(...args); `done` is called once with its outcome (and `from`, `request`). */
export function runCall(fn: (...args: unknown[]) => unknown, args: unknown[], done: CallDone, from: number, request: number): void {
  calls.push(new Call(fn, args, done, from, request));
  if (!queued) {
    queued = true;
    queueInterruptible(batchRun);
  }
}

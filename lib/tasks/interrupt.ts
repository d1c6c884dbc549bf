// Lets `schedule(t, err, { error: true })` interrupt a task blocked in any loom
// wait (a Condition, Channel, lock, another task, sleep), as Julia's does.
// Waits register a cancel function with the task that blocks; the task module
// supplies "which task is blocking" so that this file (and wait-queue.ts)
// need not import it.

/**
 * A wait in progress that an interrupt can cancel (rejecting it with the
 * error). The two links let the task keep its blocked waits in an intrusive
 * list: registering and unregistering allocate nothing on this hot path.
 */
export interface BlockedWait {
  cancel(error: unknown): void;
  blockedPrev: BlockedWait | undefined;
  blockedNext: BlockedWait | undefined;
}

/** What a blocking wait needs from the current task. */
export interface Interruptible {
  /** Registers a blocked wait, cancelled by `schedule(task, err, { error: true })`. */
  _block(wait: BlockedWait): void;
  /** The wait settled by itself: forget it. */
  _unblock(wait: BlockedWait): void;
}

let source: () => Interruptible | undefined = () => undefined;

/** Called once by task.ts. */
export function setInterruptSource(fn: () => Interruptible | undefined): void {
  source = fn;
}

let suppressed = 0;

/** The task (not the root) that is about to block, if any. */
export function blockingTask(): Interruptible | undefined {
  return suppressed === 0 ? source() : undefined;
}

/**
 * Runs fn with no wait registered as its task's: for bookkeeping waits (sync's
 * tracking of started work) that an interrupt of the caller must not cancel.
 * Covers the waits fn starts synchronously.
 */
export function withoutInterrupts<T>(fn: () => T): T {
  suppressed++;
  try {
    return fn();
  } finally {
    suppressed--;
  }
}

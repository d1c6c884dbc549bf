// Lets `schedule(t, err, { error: true })` interrupt a task blocked in any loom
// wait (a Condition, Channel, lock, another task, sleep), as Julia's does.
// Waits register a cancel function with the task that blocks; the task module
// supplies "which task is blocking" so that this file (and wait-queue.ts)
// need not import it.

/** What a blocking wait needs from the current task. */
export interface Interruptible {
  /** Registers a blocked wait; `cancel(err)` rejects it (and unregisters it). */
  _block(cancel: (error: unknown) => void): void;
  /** The wait settled by itself: forget its cancel function. */
  _unblock(cancel: (error: unknown) => void): void;
}

let source: () => Interruptible | undefined = () => undefined;

/** Called once by task.ts. */
export function setInterruptSource(fn: () => Interruptible | undefined): void {
  source = fn;
}

/** The task (not the root) that is about to block, if any. */
export function blockingTask(): Interruptible | undefined {
  return source();
}

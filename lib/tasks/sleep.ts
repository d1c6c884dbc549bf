// sleep and yieldNow: the two ways a task gives the event loop back.
import { setImmediate as immediate } from 'node:timers/promises';
import { blockingTask, type BlockedWait } from './interrupt.js';
import { checkSeconds, checkWaitOptions } from './wait-options.js';

/** The seed's minimum sleep: 1 ms. */
export const minSleepSeconds = 0.001;

/**
 * Waits `seconds` (at least 0.001). `signal` aborts the sleep (rejecting with
 * its reason); so does `schedule(t, err, { error: true })` on the sleeping task.
 */
export function sleep(seconds: number, options?: { signal?: AbortSignal }): Promise<void> {
  try {
    checkSeconds(seconds, 'seconds', 'sleep');
    checkWaitOptions(options, 'sleep');
  } catch (e) {
    return Promise.reject(e);
  }
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const ms = Math.max(seconds, minSleepSeconds) * 1000;
  return new Promise<void>((resolve, reject) => {
    const task = blockingTask();
    const sleeper: BlockedWait = {
      blockedPrev: undefined,
      blockedNext: undefined,
      cancel(error: unknown): void {
        clearTimeout(timer);
        settle();
        reject(error);
      },
    };
    const settle = (): void => {
      task?._unblock(sleeper);
      if (signal !== undefined) signal.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      settle();
      resolve();
    }, ms);
    const onAbort = (): void => sleeper.cancel(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    task?._block(sleeper);
  });
}

/**
 * `yield()`: lets every other runnable task and pending I/O callback run, then
 * resumes (a macrotask turn, so I/O is not starved by a yielding loop).
 */
export function yieldNow(): Promise<void> {
  return immediate();
}

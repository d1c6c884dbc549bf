// sleep and yieldNow: the two ways a task gives the event loop back.
import { setImmediate as immediate, setTimeout as delay } from 'node:timers/promises';
import { checkSeconds, checkWaitOptions } from './wait-options.js';

/** The seed's minimum sleep: 1 ms. */
export const minSleepSeconds = 0.001;

/** Waits `seconds` (at least 0.001). `signal` aborts the sleep (rejecting with its reason). */
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
  return delay(ms, undefined, signal ? { signal } : undefined).catch((e: unknown) => {
    throw signal?.aborted ? signal.reason : e;
  });
}

/**
 * `yield()`: lets every other runnable task and pending I/O callback run, then
 * resumes (a macrotask turn, so I/O is not starved by a yielding loop).
 */
export function yieldNow(): Promise<void> {
  return immediate();
}

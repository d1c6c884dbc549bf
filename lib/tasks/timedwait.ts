// timedwait: poll a test until it holds or the time is up.
import { sleep } from './sleep.js';
import { checkSeconds, describe } from './wait-options.js';

export type TimedWaitResult = 'ok' | 'timed_out';

export interface TimedWaitOptions {
  /** Seconds between polls (default 0.1). */
  pollint?: number;
}

/**
 * Resolves 'ok' as soon as `cb()` (a boolean or a Promise of one) is true,
 * 'timed_out' once `secs` have passed without that; polls every `pollint`
 * seconds, and once more at the deadline. Rejects with cb's error if it throws.
 */
export async function timedwait(
  cb: () => boolean | PromiseLike<boolean>,
  secs: number,
  options?: TimedWaitOptions,
): Promise<TimedWaitResult> {
  if (typeof cb !== 'function') throw new TypeError(`timedwait: cb must be a function, got ${describe(cb)}`);
  checkSeconds(secs, 'secs', 'timedwait');
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`timedwait: options must be an object like { pollint }, got ${describe(options)}`);
  }
  const pollint = options?.pollint ?? 0.1;
  checkSeconds(pollint, 'options.pollint', 'timedwait');
  if (pollint === 0) throw new RangeError('timedwait: options.pollint must be > 0 seconds, got 0');
  const deadline = performance.now() + secs * 1000;
  for (;;) {
    if (await cb()) return 'ok';
    const left = (deadline - performance.now()) / 1000;
    if (left <= 0) return 'timed_out';
    await sleep(Math.min(pollint, left));
  }
}

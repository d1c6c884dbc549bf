// Validation of the `{ timeout, signal }` options every wait accepts, shared so
// that each layer names the same problem the same way.
import type { WaitOptions } from './protocol.js';

/** Throws a TypeError/RangeError naming the bad option; returns the options unchanged. */
export function checkWaitOptions(options: WaitOptions | undefined, who: string): WaitOptions | undefined {
  const bad = waitOptionsError(options, who);
  if (bad !== undefined) throw bad;
  return options;
}

/** The TypeError/RangeError naming what is wrong with `options`, or undefined when they are fine. */
export function waitOptionsError(options: WaitOptions | undefined, who: string): TypeError | RangeError | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    return new TypeError(`${who}: options must be an object like { timeout, signal }, got ${describe(options)}`);
  }
  const { timeout, signal } = options;
  if (timeout !== undefined) {
    if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
      return new TypeError(`${who}: options.timeout must be a number of seconds, got ${describe(timeout)}`);
    }
    if (timeout < 0) return new RangeError(`${who}: options.timeout must be >= 0 seconds, got ${timeout}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return new TypeError(`${who}: options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return undefined;
}

/** Checks a duration in seconds (sleep, timedwait): finite and non-negative. */
export function checkSeconds(value: unknown, name: string, who: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${who}: ${name} must be a number of seconds, got ${describe(value)}`);
  }
  if (value < 0 || !Number.isFinite(value)) {
    throw new RangeError(`${who}: ${name} must be a finite number of seconds >= 0, got ${value}`);
  }
  return value;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'object') return `an object of type ${v.constructor?.name ?? 'Object'}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'symbol') return v.toString();
  return `${typeof v} ${String(v)}`;
}

// Julia's splitrange, 0-based and half-open: contiguous chunks, the extra
// iterations going to the first chunks (Julia's splitrange(1, 11, 3) is
// [1:4, 5:8, 9:11]; here splitrange(0, 11, 3) is [0:4, 4:8, 8:11]).
import { Range } from '../range.js';
import { describe } from '../tasks/wait-options.js';

/** Splits [start, stop) into at most `n` contiguous chunks of sizes differing by at most one. */
export function splitrange(start: number, stop: number, n: number): Range[] {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) {
    throw new RangeError(`splitrange: start and stop must be integers, got ${describe(start)} and ${describe(stop)}`);
  }
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`splitrange: n must be a positive integer, got ${describe(n)}`);
  const len = Math.max(0, stop - start);
  const chunks = Math.min(n, len);
  const out: Range[] = [];
  if (chunks === 0) return out;
  const each = Math.floor(len / chunks);
  const extras = len % chunks;
  let lo = start;
  for (let k = 0; k < chunks; k++) {
    const hi = lo + each + (k < extras ? 1 : 0);
    out.push(new Range(lo, hi));
    lo = hi;
  }
  return out;
}

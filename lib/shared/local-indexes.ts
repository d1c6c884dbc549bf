// Which part of an array each worker of a SharedArray handles by default: the
// seed's `localindexes`, a contiguous block of linear indices per worker.
import { Range } from '../range.js';

/**
 * The processes that `indexpids` and `localindexes` count: the workers among `pids`,
 * or the only process when there is one (Julia leaves the master out as a driver).
 */
export function indexWorkers(pids: readonly number[], master = 1): readonly number[] {
  if (pids.length <= 1) return pids;
  return pids.filter((p) => p !== master);
}

/** This process's 1-based position among `workers`, 0 when it is not one of them. */
export function indexOfPid(workers: readonly number[], pid: number): number {
  return workers.indexOf(pid) + 1;
}

/**
 * Julia's partition (SharedArrays' `range_1dim`) of `[0, length)` among `nworkers`, for
 * the 1-based position `pidx`: blocks of `floor(length / nworkers)`, the last block taking
 * the remainder; with fewer elements than workers, the first `length` workers get one each.
 * Position 0 (not a worker) gets an empty range.
 */
export function partitionRange(length: number, nworkers: number, pidx: number): Range {
  if (pidx < 1 || pidx > nworkers) return new Range(0, 0);
  if (length < nworkers) return pidx <= length ? new Range(pidx - 1, pidx) : new Range(0, 0);
  const part = Math.floor(length / nworkers);
  const start = (pidx - 1) * part;
  return new Range(start, pidx === nworkers ? length : start + part);
}

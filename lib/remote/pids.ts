// Checking a process id before using it: unknown ids fail at once with a clear
// error, ids of processes that exited or were removed with ProcessExitedException.
import { ProcessExitedException } from '../errors.js';
import { hasExited, myid, procs } from '../cluster/index.js';
import { describe } from '../tasks/wait-options.js';

/** Only the type of a process id (the hot path: the send itself finds unknown and exited ids). */
export function checkIdType(pid: unknown, who: string): asserts pid is number {
  if (typeof pid !== 'number' || !Number.isInteger(pid)) {
    throw new TypeError(`${who}: a process id must be an integer, got ${describe(pid)}`);
  }
}

/** Returns `pid` if it names a live process of the cluster; throws otherwise. */
export function checkPid(pid: unknown, who: string): number {
  checkIdType(pid, who);
  if (pid === myid()) return pid;
  if (hasExited(pid)) throw new ProcessExitedException(pid);
  if (!procs().includes(pid)) throw new RangeError(`${who}: unknown process id ${pid}`);
  return pid;
}

// The seed's `procs` answers two questions: the processes of the cluster
// (`procs()`) and the processes that map a shared array (`procs(S)`).
import { procs as clusterProcs } from '../cluster/index.js';

/** Something shared by a fixed set of processes (a SharedArray, a SharedChannel). */
export interface HasPids {
  readonly pids: readonly number[];
}

/** `procs()`: every process id; `procs(S)`: the processes that map S. */
export function procs(shared?: HasPids): number[] {
  if (shared !== undefined && shared !== null && typeof shared === 'object' && Array.isArray(shared.pids)) {
    return [...shared.pids];
  }
  return clusterProcs();
}

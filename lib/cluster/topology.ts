// Who connects to whom. 'all_to_all' (the default): every worker may talk to
// every other, the connection opened lazily on the first message; 'master_slave'
// (or 'master_worker'): only process 1 talks to workers; 'custom': the
// WorkerConfig `ident` / `connectIdents` of each worker name the workers it
// connects to when it joins, and only those pairs may talk.

export type Topology = 'all_to_all' | 'master_slave' | 'custom';
export type TopologyOption = Topology | 'master_worker';

export function normalizeTopology(t: unknown): Topology {
  if (t === undefined || t === 'all_to_all') return 'all_to_all';
  if (t === 'master_slave' || t === 'master_worker') return 'master_slave';
  if (t === 'custom') return 'custom';
  throw new TypeError(`topology must be 'all_to_all', 'master_slave' (or 'master_worker') or 'custom', got ${JSON.stringify(t)}`);
}

let current: Topology = 'all_to_all';

export function getTopology(): Topology {
  return current;
}

/** Process 1 fixes the topology with its first addprocs; a worker learns it when it joins. */
export function setTopology(t: Topology): void {
  current = t;
}

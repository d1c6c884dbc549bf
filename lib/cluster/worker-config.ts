// What a ClusterManager knows about one worker it launched (the seed's
// WorkerConfig). `launch` fills one per worker and pushes it on `launched`;
// the cluster reads host/port (or calls the manager's `connect`) to reach it.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export class WorkerConfig {
  /** Where process 1 connects to the worker (for SSH workers: the machine, unless tunnelled). */
  host?: string;
  port?: number;
  /** The address the worker listens on (and other workers reach it at). */
  bindAddr?: string;
  /** How many workers this config stands for on its machine (SSH specs); 'auto' = one per core. */
  count?: number | 'auto';
  /** The worker command: the node binary, or the `loom-worker` bin itself. */
  exename?: string;
  exeflags?: string[];
  /** Working directory of the worker. */
  dir?: string;
  /** Process 1 reaches the worker through an `ssh -L` forward. */
  tunnel?: boolean;
  sshflags?: string[];
  maxParallel?: number;
  /** The local process that stands for the worker (the worker itself, or its ssh client). */
  process?: ChildProcess;
  /** The stream the worker announced itself on (its stdout, or ssh's). */
  io?: Readable;
  /** Free for the manager's own use. */
  userdata?: unknown;
  /** Names this worker in a 'custom' topology. */
  ident?: unknown;
  /** The idents of the workers this one connects to when it joins ('custom' topology). */
  connectIdents?: unknown[];
  /** The OS pid of the worker process once it has joined (on its own machine). */
  ospid?: number;
  /** Where other workers reach this one, as the worker announced it (`port#host`). */
  announced?: { host: string; port: number };

  constructor(init: Partial<WorkerConfig> = {}) {
    Object.assign(this, init);
  }
}

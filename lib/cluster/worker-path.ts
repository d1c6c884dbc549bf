// Where the worker entry point lives, for managers that start workers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The compiled worker entry (dist/lib/cluster/worker-main.js): what LocalManager runs. */
export const workerMainPath = path.join(here, 'worker-main.js');

/** The `loom-worker` bin of this package: SSHManager's default command on the remote. */
export const workerBinPath = path.resolve(here, '..', '..', '..', 'bin', 'loom-worker.js');

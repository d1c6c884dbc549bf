// Where the worker entry point lives, for managers that start workers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The worker entry, what LocalManager runs: dist/lib/cluster/worker.cjs, which
 * runs worker-main.ts from the start-up bundle boot.cjs (both built by
 * scripts/bundle-dist.mjs).
 */
export const workerMainPath = path.join(here, 'worker.cjs');

/** The `loom-worker` bin of this package: SSHManager's default command on the remote. */
export const workerBinPath = path.resolve(here, '..', '..', '..', 'bin', 'loom-worker.js');

// Waiting for a worker to be gone: its connection closed AND, when this process
// started it (or its ssh client), that process exited, so that "removed" means
// nothing is left running.
import type { ChildProcess } from 'node:child_process';
import { whenExited } from './membership.js';
import type { WorkerConfig } from './worker-config.js';

export function processExited(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** True when worker `pid` is fully gone within `seconds`. */
export function whenExitedWithin(pid: number, config: WorkerConfig, seconds: number): Promise<boolean> {
  const gone = Promise.all([whenExited(pid), processExited(config.process)]).then(() => true);
  if (!Number.isFinite(seconds)) return gone;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, seconds) * 1000);
  });
  return Promise.race([gone, timeout]).finally(() => clearTimeout(timer));
}

// Which worker id a WorkerConfig ended up with (process 1), for labels on the
// worker's forwarded output: the config exists before its id does.
import type { WorkerConfig } from './worker-config.js';

const ids = new WeakMap<WorkerConfig, number>();

export function setConfigPid(config: WorkerConfig, pid: number): void {
  ids.set(config, pid);
}

export function configPid(config: WorkerConfig): number | undefined {
  return ids.get(config);
}

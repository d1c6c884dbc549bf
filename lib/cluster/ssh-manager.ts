// placeholder, replaced below
import { ClusterManager, type LaunchParams, type ManageOp } from './cluster-manager.js';
import type { WorkerConfig } from './worker-config.js';
export type MachineSpec = string | readonly [string, number | 'auto'];
export class SSHManager extends ClusterManager {
  constructor(readonly machines: readonly MachineSpec[]) { super(); }
  override async launch(_p: LaunchParams, _l: WorkerConfig[], _n: () => void): Promise<void> { throw new Error('todo'); }
  override manage(_pid: number, _c: WorkerConfig, _op: ManageOp): void {}
}

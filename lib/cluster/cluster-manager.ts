// The seed's ClusterManager interface. A manager starts workers (`launch`),
// is told of their life events (`manage`), stops them (`kill`) and, for a
// transport other than TCP, connects to them (`connect`). LocalManager and
// SSHManager are the two built in; a user may write more.
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { send } from './membership.js';
import { whenExitedWithin } from './lifecycle.js';
import type { WorkerConfig } from './worker-config.js';

/** `manage` operations, as in the seed. */
export type ManageOp = 'register' | 'deregister' | 'interrupt' | 'finalize';

/** The addprocs options after defaults, as `launch` receives them. */
export interface LaunchParams {
  exeflags: string[];
  topology: 'all_to_all' | 'master_slave' | 'custom';
  /** SSH and custom managers: */
  tunnel: boolean;
  sshflags: string[];
  maxParallel: number;
  dir: string | undefined;
  exename: string | undefined;
  /** Extra options a custom manager accepts (declared by its `extraOptions`). */
  [option: string]: unknown;
}

export abstract class ClusterManager {
  /**
   * Starts the workers. For each: fill a WorkerConfig, push it on `launched`,
   * and call `launchNotify()` so that process 1 connects to it at once.
   * Resolves when everything is launched.
   */
  abstract launch(params: LaunchParams, launched: WorkerConfig[], launchNotify: () => void): Promise<void>;

  /** Told of each worker's 'register', 'deregister', 'interrupt' and 'finalize'. */
  abstract manage(pid: number, config: WorkerConfig, op: ManageOp): void | Promise<void>;

  /** addprocs options this manager accepts beyond the built-in ones. */
  readonly extraOptions: readonly string[] = [];

  /** Seconds `kill` waits for a worker asked to exit before it kills it. */
  killGraceSeconds = 5;

  /**
   * Connects process 1 to worker `pid`: the default dials `config.host:port`
   * (TCP) and resolves the socket as both streams. The cookie handshake is the
   * cluster's job, on whatever streams this returns.
   */
  connect(pid: number, config: WorkerConfig): Promise<[Readable, Writable]> {
    return connectTcp(config.host ?? '127.0.0.1', requirePort(config), pid);
  }

  /**
   * Stops worker `pid`: asks it to exit, waits `killGraceSeconds`, then kills
   * its process (SIGKILL) if it is still there.
   */
  async kill(pid: number, config: WorkerConfig): Promise<void> {
    try {
      send(pid, { type: 'cluster.exit' });
    } catch {
      // Already gone or never connected: fall through to the process check.
    }
    if (await whenExitedWithin(pid, config, this.killGraceSeconds)) return;
    config.process?.kill('SIGKILL');
    await whenExitedWithin(pid, config, 5);
  }
}

function requirePort(config: WorkerConfig): number {
  if (typeof config.port !== 'number') throw new TypeError('WorkerConfig.port is not set: the manager must fill it in launch');
  return config.port;
}

/** Dials host:port; resolves the connected socket twice (readable and writable). */
export function connectTcp(host: string, port: number, pid: number): Promise<[Readable, Writable]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const onError = (e: Error) => {
      socket.destroy();
      reject(Object.assign(new Error(`cannot connect to worker ${pid} at ${host}:${port}: ${e.message}`), { cause: e }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve([socket, socket]);
    });
  });
}

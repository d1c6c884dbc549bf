// Workers on this machine: `node [exeflags] worker.cjs --bind-to 127.0.0.1
// --master-fd 3` per worker, the cookie written on its stdin (which stays open:
// its end tells the worker that process 1 is gone), its announcement read from
// its stdout. Process 1 talks to it over a socketpair on its fd 3 (a round trip
// costs a few µs less than over loopback TCP); workers reach each other by TCP.
// With the addon, process 1 makes that pair itself and reads its end into one
// reused buffer (master-link.ts, link-socket.ts); without it, spawn's own 'pipe' (also a
// socketpair, read through the Readable machinery).
import { spawn } from 'node:child_process';
import type net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ClusterManager, type LaunchParams, type ManageOp } from './cluster-manager.js';
import { getCookie } from './cookie.js';
import { configPid } from './config-ids.js';
import { newMasterLink, type MasterLink } from './master-link.js';
import { workerTimeoutSeconds } from './timeout.js';
import { WorkerConfig } from './worker-config.js';
import { readAnnouncement } from './worker-output.js';
import { workerMainPath } from './worker-path.js';

/** The worker's descriptor of its socketpair with process 1. */
const MASTER_FD = 3;

/** Process 1's end of each worker's link, when it made the pair itself. */
const links = new WeakMap<WorkerConfig, net.Socket>();

export class LocalManager extends ClusterManager {
  readonly np: number;
  /** Listen on loopback only (the default); false binds every interface. */
  readonly restrict: boolean;

  constructor(np: number, restrict = true) {
    super();
    if (!Number.isInteger(np) || np < 0) throw new RangeError(`LocalManager: the worker count must be a non-negative integer, got ${np}`);
    this.np = np;
    this.restrict = restrict;
  }

  override async launch(params: LaunchParams, launched: WorkerConfig[], launchNotify: () => void): Promise<void> {
    const bindTo = this.restrict ? '127.0.0.1' : '0.0.0.0';
    const timeout = workerTimeoutSeconds();
    const one = async () => {
      const exename = params.exename ?? process.execPath;
      const link: MasterLink | null = newMasterLink();
      let child;
      try {
        child = spawn(exename, [...params.exeflags, workerMainPath, '--bind-to', bindTo, '--master-fd', String(MASTER_FD)], {
          cwd: params.dir ?? process.cwd(),
          env: { ...process.env, LOOM_WORKER_TIMEOUT: String(timeout) },
          stdio: ['pipe', 'pipe', 'pipe', link?.childFd ?? 'pipe'],
          // Its own process group: a Ctrl-C meant for process 1 does not hit the workers.
          detached: true,
        });
      } catch (e) {
        link?.socket.destroy();
        throw e;
      } finally {
        // The child has its copy (or never started: then process 1's end sees end of stream).
        link?.closeChildEnd();
      }
      const config = new WorkerConfig({ process: child, io: child.stdout!, exename, exeflags: params.exeflags, dir: params.dir, bindAddr: bindTo });
      if (link !== null) {
        links.set(config, link.socket);
        link.socket.on('error', () => undefined); // a failed launch reports through the announcement
      }
      child.on('error', () => undefined); // reported through the announcement's failure
      child.stdin!.on('error', () => undefined);
      child.stdin!.write(`${getCookie()}\n`);
      try {
        const a = await readAnnouncement(child.stdout!, child.stderr!, () => label(config), timeout);
        config.host = '127.0.0.1';
        config.port = a.port;
        config.announced = { host: a.host, port: a.port };
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
      launched.push(config);
      launchNotify();
    };
    const results = await Promise.allSettled(Array.from({ length: this.np }, one));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  override connect(pid: number, config: WorkerConfig): Promise<[Readable, Writable]> {
    const link = links.get(config) ?? (config.process?.stdio[MASTER_FD] as (Readable & Writable) | null | undefined);
    if (link) {
      // A child the worker spawned may have inherited its end of the pair (fd 3 is not
      // close-on-exec there): then the pair would not close when the worker dies, its exit does.
      config.process!.once('exit', () => link.destroy());
      return Promise.resolve([link, link]);
    }
    return super.connect(pid, config);
  }

  override manage(_pid: number, config: WorkerConfig, op: ManageOp): void {
    if (op === 'interrupt') config.process?.kill('SIGINT');
  }
}

function label(config: WorkerConfig): string {
  const pid = configPid(config);
  return pid === undefined ? 'worker (starting)' : `worker ${pid}`;
}

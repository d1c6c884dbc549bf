// Workers on other machines, started through the system `ssh` client as in
// Julia: per worker, `ssh -T -a -x [-p port] [sshflags] [user@]host '<command>'`
// where the command cds to `dir` and runs the worker; the cookie goes down
// ssh's stdin, the announcement comes back on its stdout. With `tunnel: true`
// process 1 reaches each worker through an `ssh -L` forward instead of
// directly. `count: 'auto'` asks the machine for its number of cores first.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ClusterManager, connectTcp, type LaunchParams, type ManageOp } from './cluster-manager.js';
import { configPid } from './config-ids.js';
import { getCookie } from './cookie.js';
import { letGo } from './keep-alive.js';
import { toMachine, type Machine, type MachineSpec } from './machine-spec.js';
import { shellCommand } from './shell-quote.js';
import { workerTimeoutSeconds } from './timeout.js';
import { WorkerConfig } from './worker-config.js';
import { isWildcardHost, readAnnouncement } from './worker-output.js';
import { workerBinPath } from './worker-path.js';

export type { MachineSpec } from './machine-spec.js';

/** What an SSH worker's config keeps in `userdata`. */
interface SshUserdata {
  machine: Machine;
  tunnel?: ChildProcess;
}

export class SSHManager extends ClusterManager {
  readonly machines: readonly Machine[];

  constructor(machines: readonly MachineSpec[]) {
    super();
    if (!Array.isArray(machines) || machines.length === 0) throw new TypeError('SSHManager: expected a non-empty array of machine specs');
    this.machines = machines.map(toMachine);
  }

  override async launch(params: LaunchParams, launched: WorkerConfig[], launchNotify: () => void): Promise<void> {
    const limit = semaphore(params.maxParallel);
    const timeout = workerTimeoutSeconds();
    const jobs: Promise<void>[] = [];
    for (const machine of this.machines) {
      const count = machine.count === 'auto' ? await limit(() => remoteCoreCount(machine, params.sshflags, timeout)) : machine.count;
      for (let i = 0; i < count; i++) {
        jobs.push(
          limit(async () => {
            const config = await launchOne(machine, params, timeout);
            launched.push(config);
            launchNotify();
          }),
        );
      }
    }
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  override async connect(pid: number, config: WorkerConfig): Promise<[Readable, Writable]> {
    if (!config.tunnel) return super.connect(pid, config);
    const data = config.userdata as SshUserdata;
    const remote = config.announced!;
    const target = isWildcardHost(remote.host) ? '127.0.0.1' : remote.host;
    // A free local port can be taken by someone else before ssh binds it: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const localPort = await freeLocalPort();
      const tunnel = spawn(
        'ssh',
        [
          ...sshBaseArgs(data.machine, config.sshflags ?? []),
          '-o',
          'ExitOnForwardFailure=yes',
          '-L',
          `127.0.0.1:${localPort}:${target}:${remote.port}`,
          data.machine.sshHost,
          // Not -N: a remote command that ends with our stdin, so the tunnel dies with this process.
          'exec cat >/dev/null',
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      tunnel.stdin!.on('error', () => undefined);
      let stderr = '';
      tunnel.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      try {
        const streams = await dialUntilUp('127.0.0.1', localPort, pid, tunnel, workerTimeoutSeconds());
        data.tunnel = tunnel;
        // Like the worker's own handles, the tunnel does not keep process 1 alive (keep-alive.ts).
        letGo(tunnel, tunnel.stdin, tunnel.stderr);
        config.host = '127.0.0.1';
        config.port = localPort;
        return streams;
      } catch (e) {
        tunnel.kill('SIGKILL');
        lastError = new Error(`ssh tunnel to worker ${pid} failed: ${(e as Error).message}${stderr ? `; ssh said: ${stderr.trim()}` : ''}`);
      }
    }
    throw lastError;
  }

  override async manage(pid: number, config: WorkerConfig, op: ManageOp): Promise<void> {
    const data = config.userdata as SshUserdata | undefined;
    if (data === undefined) return;
    if (op === 'interrupt') {
      if (config.ospid === undefined) throw new Error(`interrupt: worker ${pid}'s OS pid is unknown`);
      // ssh cannot deliver a signal itself: ask the machine to (as Julia does).
      await run('ssh', [...sshBaseArgs(data.machine, config.sshflags ?? []), '-n', data.machine.sshHost, `kill -2 ${config.ospid}`], 30);
    } else if (op === 'deregister' || op === 'finalize') {
      data.tunnel?.kill('SIGTERM');
    }
  }
}

function sshBaseArgs(machine: Machine, sshflags: readonly string[]): string[] {
  return ['-T', '-a', '-x', ...(machine.sshPort !== undefined ? ['-p', String(machine.sshPort)] : []), ...sshflags];
}

/** The remote command line: cd to dir, pass the timeout, run the worker. */
function remoteCommand(params: LaunchParams, bind: string, timeout: number): string {
  const exename = params.exename ?? workerBinPath;
  const isScript = /\.[cm]?js$/.test(exename);
  let words: string[];
  if (isScript) words = params.exeflags.length > 0 ? ['node', ...params.exeflags, exename] : [exename];
  else words = [exename, ...params.exeflags, workerBinPath];
  words.push('--bind-to', bind);
  const dir = params.dir ?? process.cwd();
  return `cd -- ${shellCommand([dir])} && LOOM_WORKER_TIMEOUT=${timeout} exec ${shellCommand(words)}`;
}

async function launchOne(machine: Machine, params: LaunchParams, timeout: number): Promise<WorkerConfig> {
  // Without a bind address the worker listens on the host's own name as given (it resolves there too);
  // behind a tunnel, on the machine's loopback only.
  const bindHost = machine.bindAddr ?? (params.tunnel ? '127.0.0.1' : machine.host);
  const bind = `${bindHost.includes(':') ? `[${bindHost}]` : bindHost}${machine.bindPort !== undefined ? `:${machine.bindPort}` : ''}`;
  const args = [...sshBaseArgs(machine, params.sshflags), '-o', 'ClearAllForwardings=yes', machine.sshHost, remoteCommand(params, bind, timeout)];
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const config = new WorkerConfig({
    process: child,
    io: child.stdout!,
    host: machine.host,
    bindAddr: bindHost,
    count: machine.count,
    exename: params.exename ?? workerBinPath,
    exeflags: params.exeflags,
    dir: params.dir ?? process.cwd(),
    tunnel: params.tunnel,
    sshflags: params.sshflags,
    maxParallel: params.maxParallel,
    userdata: { machine } satisfies SshUserdata,
  });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  child.stdin!.write(`${getCookie()}\n`);
  try {
    const label = () => {
      const pid = configPid(config);
      return pid === undefined ? `worker on ${machine.host} (starting)` : `worker ${pid}`;
    };
    const a = await readAnnouncement(child.stdout!, child.stderr!, label, timeout);
    config.announced = a;
    if (!params.tunnel) {
      config.host = isWildcardHost(a.host) ? machine.host : a.host;
      config.port = a.port;
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`cannot start a worker on ${machine.sshHost} over ssh: ${(e as Error).message}`, { cause: e });
  }
  return config;
}

async function remoteCoreCount(machine: Machine, sshflags: readonly string[], timeout: number): Promise<number> {
  const out = await run('ssh', [...sshBaseArgs(machine, sshflags), '-n', machine.sshHost, 'getconf _NPROCESSORS_ONLN 2>/dev/null || nproc'], timeout);
  const n = Number(out.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`count 'auto': cannot read the core count of ${machine.sshHost} (got '${out.trim()}')`);
  return n;
}

function run(cmd: string, args: string[], timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} ${args.slice(-1)[0]} failed (exit ${code}): ${err.trim()}`));
    });
  });
}

/** A TCP port free on loopback now (for a tunnel's local end, or a test server). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Dials the forwarded port until ssh has set it up (or the tunnel died, or time ran out). */
async function dialUntilUp(host: string, port: number, pid: number, tunnel: ChildProcess, seconds: number): Promise<[Readable, Writable]> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    if (tunnel.exitCode !== null || tunnel.signalCode !== null) throw new Error(`ssh exited (${tunnel.exitCode ?? tunnel.signalCode})`);
    try {
      return await connectTcp(host, port, pid);
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** At most `n` of the given jobs at once. */
function semaphore(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

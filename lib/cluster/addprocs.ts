// Process 1's side of adding workers: addprocs launches them through a
// ClusterManager, connects to each as soon as it is launched (cookie first,
// then the join message with its id and the other workers' addresses), waits
// for its join acknowledgement, runs the addWorkerSetup hooks on it, and only
// then counts it among workers().
import os from 'node:os';
import { ProcessExitedException } from '../errors.js';
import { ClusterManager, type LaunchParams } from './cluster-manager.js';
import { Connection, type Message } from './connection.js';
import { holdWhile, letGo } from './keep-alive.js';
import { processExited } from './lifecycle.js';
import { setConfigPid } from './config-ids.js';
import { LocalManager } from './local-manager.js';
import {
  addPeer,
  allPeers,
  connectionHandlers,
  getPeer,
  isWorker,
  markExited,
  onMessage,
  send,
  setPeerLostHook,
} from './membership.js';
import { clusterLog } from './log.js';
import { SSHManager } from './ssh-manager.js';
import type { MachineSpec } from './machine-spec.js';
import { getTopology, normalizeTopology, setTopology } from './topology.js';
import { workerTimeoutSeconds } from './timeout.js';
import { isWildcardHost } from './worker-output.js';
import type { WorkerConfig } from './worker-config.js';

/** The options of addprocs (see API.md). */
export interface AddprocsOptions {
  exeflags?: string[];
  topology?: 'all_to_all' | 'master_slave' | 'master_worker' | 'custom';
  tunnel?: boolean;
  sshflags?: string[];
  maxParallel?: number;
  dir?: string;
  exename?: string;
  [option: string]: unknown;
}

const KNOWN_OPTIONS = new Set(['exeflags', 'topology', 'tunnel', 'sshflags', 'maxParallel', 'dir', 'exename']);

/** What process 1 keeps about each worker it added. */
interface Managed {
  manager: ClusterManager;
  config: WorkerConfig;
}
const managed = new Map<number, Managed>();
let nextId = 2;
const setupHooks: ((pid: number) => Promise<void>)[] = [];
const joinWaiters = new Map<number, { resolve(msg: Message): void; reject(e: Error): void }>();
/** Workers whose SIGINT handling is in place (their 'cluster.interruptible' arrived), and who waits for it. */
const interruptible = new Set<number>();
const interruptibleWaiters = new Map<number, (() => void)[]>();

/** Resolves when worker `pid` can take an interrupt (or is gone). */
export function whenInterruptible(pid: number): Promise<void> {
  if (interruptible.has(pid) || getPeer(pid)?.exited !== false) return Promise.resolve();
  return new Promise((resolve) => {
    const list = interruptibleWaiters.get(pid) ?? [];
    // A worker starts its SIGINT handling when it gets work, or when asked (worker-runtime.ts).
    if (list.length === 0) {
      try {
        send(pid, { type: 'cluster.interruptible?' });
      } catch {
        // It is gone: its exit releases the waiters.
      }
    }
    list.push(resolve);
    interruptibleWaiters.set(pid, list);
  });
}

function releaseInterruptWaiters(pid: number): void {
  for (const w of interruptibleWaiters.get(pid) ?? []) w();
  interruptibleWaiters.delete(pid);
}

/** The manager and config of worker `pid` (process 1 only). */
export function managedWorker(pid: number): Managed | undefined {
  return managed.get(pid);
}

/**
 * Runs `hook(pid)` on process 1 for every new worker, before addprocs resolves its id.
 * For workers started by the built-in managers the hooks of one worker run concurrently
 * (none may rely on another having finished); for custom managers, one after the other.
 */
export function addWorkerSetup(hook: (pid: number) => Promise<void>): void {
  if (typeof hook !== 'function') throw new TypeError('addWorkerSetup: hook must be a function');
  setupHooks.push(hook);
}

/**
 * Adds workers and resolves their ids once every one is connected and ready.
 * `addprocs()` starts one per core; `addprocs(n)` n local ones;
 * `addprocs(machines)` SSH ones; `addprocs(manager)` whatever the manager starts.
 */
export function addprocs(
  what?: number | readonly MachineSpec[] | ClusterManager,
  options: AddprocsOptions = {},
): Promise<number[]> {
  // The workers' handles do not keep this process alive (keep-alive.ts); adding them does.
  return holdWhile(addWorkers(what, options));
}

async function addWorkers(what: number | readonly MachineSpec[] | ClusterManager | undefined, options: AddprocsOptions): Promise<number[]> {
  if (isWorker()) throw new Error('addprocs can only be called on process 1');
  const manager = toManager(what);
  const params = normalizeOptions(options, manager);
  const live = [...managed.keys()].filter((pid) => !getPeer(pid)?.exited);
  if (live.length > 0 && params.topology !== getTopology()) {
    throw new TypeError(`topology '${params.topology}' differs from the cluster's '${getTopology()}'`);
  }
  setTopology(params.topology);
  installMasterHandlers();

  const launched: WorkerConfig[] = [];
  const joining: Promise<number>[] = [];
  let taken = 0;
  // In a custom topology workers join one at a time, so that each finds the ones it connects to.
  let previous: Promise<unknown> = Promise.resolve();
  const launchNotify = () => {
    while (taken < launched.length) {
      const config = launched[taken++]!;
      const p =
        params.topology === 'custom'
          ? previous.catch(() => undefined).then(() => connectWorker(manager, config, params))
          : connectWorker(manager, config, params);
      previous = p;
      joining.push(p);
    }
  };
  let launchError: unknown;
  try {
    await manager.launch(params, launched, launchNotify);
  } catch (e) {
    launchError = e;
  }
  launchNotify();
  const results = await Promise.allSettled(joining);
  const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = launchError ?? results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  if (failure !== undefined) {
    // All or nothing: a partly added set would leave the caller without the ids to remove.
    const { rmprocs } = await import('./rmprocs.js');
    await rmprocs(...ids, { waitfor: 10 }).catch(() => undefined);
    for (const cfg of launched) if (cfg.process && cfg.process.exitCode === null) cfg.process.kill('SIGKILL');
    throw failure;
  }
  return ids.sort((a, b) => a - b);
}

function toManager(what: number | readonly MachineSpec[] | ClusterManager | undefined): ClusterManager {
  if (what === undefined) return new LocalManager(os.availableParallelism());
  if (typeof what === 'number') return new LocalManager(what);
  if (Array.isArray(what)) return new SSHManager(what as readonly MachineSpec[]);
  if (what instanceof ClusterManager) return what;
  throw new TypeError('addprocs: expected a count, an array of machine specs or a ClusterManager');
}

function normalizeOptions(options: AddprocsOptions, manager: ClusterManager): LaunchParams {
  if (options === null || typeof options !== 'object') throw new TypeError('addprocs: options must be an object');
  for (const k of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(k) && !manager.extraOptions.includes(k)) throw new TypeError(`addprocs: unknown option '${k}'`);
  }
  const strings = (name: string, v: unknown): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`addprocs: ${name} must be an array of strings`);
    return [...v];
  };
  const maxParallel = options.maxParallel ?? 10;
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new RangeError('addprocs: maxParallel must be a positive integer');
  if (options.dir !== undefined && typeof options.dir !== 'string') throw new TypeError('addprocs: dir must be a string');
  if (options.exename !== undefined && typeof options.exename !== 'string') throw new TypeError('addprocs: exename must be a string');
  if (options.tunnel !== undefined && typeof options.tunnel !== 'boolean') throw new TypeError('addprocs: tunnel must be a boolean');
  const params: LaunchParams = {
    ...options,
    exeflags: strings('exeflags', options.exeflags),
    topology: normalizeTopology(options.topology),
    tunnel: options.tunnel ?? false,
    sshflags: strings('sshflags', options.sshflags),
    maxParallel,
    dir: options.dir,
    exename: options.exename,
  };
  return params;
}

async function connectWorker(manager: ClusterManager, config: WorkerConfig, params: LaunchParams): Promise<number> {
  const pid = nextId++;
  managed.set(pid, { manager, config });
  setConfigPid(config, pid);
  const peer = addPeer(pid, null, config.ident);
  const exitedEarly = () => new ProcessExitedException(pid, 'it exited while joining');
  try {
    await manager.manage(pid, config, 'register');
    const [readable, writable] = await manager.connect(pid, config);
    if (peer.exited) throw exitedEarly();
    const conn = new Connection(readable, writable, 'connector', `to worker ${pid}`, connectionHandlers);
    // Only pending work keeps process 1 alive, not the worker itself (keep-alive.ts).
    const child = config.process;
    letGo(readable, writable, child, child?.stdin, child?.stdout, child?.stderr);
    conn.peer = pid;
    peer.conn = conn;
    if (config.announced) peer.address = peerAddress(config);
    const joined = new Promise<Message>((resolve, reject) => joinWaiters.set(pid, { resolve, reject }));
    conn.send({
      type: 'cluster.join',
      pid,
      topology: params.topology,
      ident: config.ident,
      connectIdents: config.connectIdents ?? [],
      peers: peerList(pid),
    });
    let joinTimer: NodeJS.Timeout | undefined;
    const seconds = workerTimeoutSeconds();
    const ack = await Promise.race([
      joined,
      new Promise<never>((_, reject) => {
        joinTimer = setTimeout(() => reject(new Error(`worker ${pid} did not join within ${seconds} s (LOOM_WORKER_TIMEOUT)`)), seconds * 1000);
      }),
    ]).finally(() => clearTimeout(joinTimer));
    config.ospid = typeof ack.ospid === 'number' ? ack.ospid : undefined;
    // Tell the others about the newcomer before anyone can use its id.
    if (peer.address !== null) {
      const note = { type: 'cluster.peer', pid, host: peer.address.host, port: peer.address.port, ident: config.ident };
      for (const p of allPeers()) if (p.pid !== pid && p.conn !== null && !p.exited) p.conn.send(note);
    }
    if (runsLoomWorker(manager)) {
      // All at once: a loom-worker acknowledges the join with its library loaded, so each hook's
      // messages can be decoded there, and the hooks' round trips overlap.
      await Promise.all(setupHooks.map((hook) => hook(pid)));
    } else {
      // A custom transport's worker may still be loading the library: the remote layer's readiness
      // check (the first hook) goes first, so that no later hook's handle reaches it too early.
      for (const hook of setupHooks) await hook(pid);
    }
    if (peer.exited) throw exitedEarly();
    peer.ready = true;
    return pid;
  } catch (e) {
    joinWaiters.delete(pid);
    if (!peer.exited) markExited(pid, 'failed to join');
    throw e;
  }
}

/** Whether the manager's workers run loom-worker, which acknowledges the join only once its library is loaded. */
function runsLoomWorker(manager: ClusterManager): boolean {
  return manager instanceof LocalManager || manager instanceof SSHManager;
}

function peerAddress(config: WorkerConfig): { host: string; port: number } {
  const a = config.announced!;
  // A worker bound to every interface announces a wildcard; the others reach it by the manager's host name.
  return { host: isWildcardHost(a.host) ? (config.host ?? '127.0.0.1') : a.host, port: a.port };
}

function peerList(except: number): { pid: number; host: string; port: number; ident: unknown }[] {
  const list = [];
  for (const p of allPeers()) {
    if (p.pid === except || p.exited || p.address === null) continue;
    list.push({ pid: p.pid, host: p.address.host, port: p.address.port, ident: p.ident });
  }
  return list;
}

let handlersInstalled = false;
function installMasterHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  onMessage('cluster.interruptible', (_msg, from) => {
    interruptible.add(from);
    releaseInterruptWaiters(from);
  });
  onMessage('cluster.joined', (msg, from) => {
    const w = joinWaiters.get(from);
    joinWaiters.delete(from);
    w?.resolve(msg);
  });
  setPeerLostHook((pid, reason) => {
    const w = joinWaiters.get(pid);
    joinWaiters.delete(pid);
    w?.reject(new ProcessExitedException(pid, reason));
    releaseInterruptWaiters(pid);
    const m = managed.get(pid);
    if (m === undefined) return;
    void Promise.resolve()
      .then(() => m.manager.manage(pid, m.config, 'deregister'))
      .then(() => processExited(m.config.process))
      .then(() => m.manager.manage(pid, m.config, 'finalize'))
      .catch((e) => clusterLog(`manage(${pid}) failed: ${(e as Error).message}`));
    for (const p of allPeers()) {
      if (p.pid !== pid && p.conn !== null && !p.exited) {
        try {
          send(p.pid, { type: 'cluster.gone', pid });
        } catch {
          // that one is going too
        }
      }
    }
  });
}

// A worker's side of the cluster: it waits for process 1 (LOOM_WORKER_TIMEOUT),
// takes its id, the topology and the other workers' addresses from the join
// message, acknowledges once the connections a custom topology asks for are
// up, and exits as soon as its connection to process 1 is gone: no orphans.
import type { Readable, Writable } from 'node:stream';
import type { ClusterManager } from './cluster-manager.js';
import { Connection, type Message } from './connection.js';
import { setCookie } from './cookie.js';
import { libraryDeferred, loadDeferredLibrary } from './deferred-library.js';
import { interruptHandling } from './interrupt-hook.js';
import { clusterLog } from './log.js';
import {
  addPeer,
  becomeWorker,
  connectionHandlers,
  dialPeer,
  getPeer,
  whenExited,
  markExited,
  onMessage,
  setJoinHandler,
  setPeerLostHook,
} from './membership.js';
import { workerTimeoutSeconds } from './timeout.js';
import { normalizeTopology, setTopology } from './topology.js';

let initialized = false;
let joined = false;
let masterTimer: NodeJS.Timeout | null = null;
let connectIdents: unknown[] = [];
let connectionCount = 0;
const welcomeWaiters = new Map<number, () => void>();

/**
 * Prepares this process to be a worker (the seed's init_worker): sets the
 * cookie (when given; `loom-worker` reads it from stdin) and starts the wait
 * for process 1. Call processMessages for each incoming connection.
 * The manager argument is accepted for symmetry with the seed; the worker
 * side of the built-in managers needs nothing from it.
 */
export function initWorker(cookie?: string, _manager?: ClusterManager): void {
  if (cookie !== undefined) setCookie(cookie);
  if (initialized) return;
  initialized = true;
  setJoinHandler(onJoin);
  setPeerLostHook(onPeerLost);
  onMessage('cluster.peer', (msg) => learnPeer(msg as unknown as PeerNote));
  onMessage('cluster.gone', (msg) => markExited(msg.pid as number, 'removed'));
  onMessage('cluster.exit', () => exitSoon(0));
  onMessage('cluster.interruptible?', () => startInterruptHandling());
  onMessage('cluster.welcome', (_msg, from) => {
    welcomeWaiters.get(from)?.();
    welcomeWaiters.delete(from);
  });
  const seconds = workerTimeoutSeconds();
  masterTimer = setTimeout(() => {
    clusterLog(`no master connected within ${seconds} s (LOOM_WORKER_TIMEOUT); exiting`);
    process.exit(1);
  }, seconds * 1000);
}

/** Serves one incoming connection (the master's, or another worker's) over any pair of streams. */
export function processMessages(readable: Readable, writable: Writable, label?: string): void {
  if (!initialized) initWorker();
  connectionCount++;
  new Connection(readable, writable, 'acceptor', label ?? `#${connectionCount}`, connectionHandlers);
}

interface PeerNote {
  pid: number;
  host: string;
  port: number;
  ident?: unknown;
}

async function onJoin(conn: Connection, msg: Message): Promise<void> {
  if (joined) {
    clusterLog(`closing connection ${conn.label}: this worker has already joined a cluster`);
    conn.close('second join');
    return;
  }
  joined = true;
  if (masterTimer !== null) clearTimeout(masterTimer);
  conn.peer = 1;
  becomeWorker(msg.pid as number);
  setTopology(normalizeTopology(msg.topology));
  connectIdents = Array.isArray(msg.connectIdents) ? msg.connectIdents : [];
  const master = addPeer(1);
  master.conn = conn;
  master.ready = true;
  const dialed: Promise<void>[] = [];
  for (const p of (msg.peers as PeerNote[] | undefined) ?? []) {
    const w = learnPeer(p);
    if (w !== undefined) dialed.push(w);
  }
  // Acknowledge once the custom topology's connections are up, so that they exist when addprocs resolves.
  await Promise.all(dialed);
  conn.send({ type: 'cluster.joined', ospid: process.pid });
  // A worker never dies of SIGINT: interrupt() cancels its work instead. What handles it (the
  // native runtime's watch, or the helper thread, whose boot costs about as much CPU as the
  // worker's own start-up) starts when the worker gets work: with the deferred library load (worker-main.ts), at the first interruptible run,
  // or when process 1 asks ('cluster.interruptible?', before an interrupt); here, after the
  // acknowledgement, only if the library is loaded already. Runs made before it is up wait for
  // it, and process 1 holds interrupts back until the 'cluster.interruptible' notice says a
  // SIGINT cannot kill this worker any more.
  if (!libraryDeferred()) setImmediate(startInterruptHandling);
}

/**
 * Starts this worker's SIGINT handling, if not yet, and tells process 1 once it
 * is in place. interruptible.ts loads with the layers above (library.cjs): if
 * they are still deferred, loading them starts it (worker-main.ts).
 */
export function startInterruptHandling(): void {
  const install = interruptHandling();
  if (install !== null) install();
  else if (libraryDeferred()) loadDeferredLibrary();
  else void import('./interruptible.js').then((m) => m.installWorkerSigintHandler());
}

/** Records a peer; in a custom topology dials it when this worker's connectIdents name it (resolves when welcomed). */
function learnPeer(note: PeerNote): Promise<void> | undefined {
  const p = addPeer(note.pid, { host: note.host, port: note.port }, note.ident);
  if (p.exited) return undefined;
  p.ready = true;
  if (note.ident === undefined || p.conn !== null || !connectIdents.includes(note.ident)) return undefined;
  const welcomed = new Promise<void>((resolve) => {
    welcomeWaiters.set(p.pid, resolve);
    void whenExited(p.pid).then(resolve);
  });
  dialPeer(p);
  return welcomed;
}

function onPeerLost(pid: number): void {
  if (pid === 1) exitSoon(0);
  else if (getPeer(pid)?.exited !== true) markExited(pid, 'lost');
}

function exitSoon(code: number): void {
  // Let frames queued in this turn (replies, logs) leave first.
  setImmediate(() => process.exit(code));
}

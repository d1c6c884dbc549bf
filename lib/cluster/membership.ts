// The processes this process knows, the connections to them, and the message
// bus over those connections: `send`, `onMessage`, `onProcessExit`. Process 1
// learns of workers as it adds them; a worker learns of the others from
// process 1 (when it joins, and as more are added). Ids are never reused.
import net from 'node:net';
import { ProcessExitedException } from '../errors.js';
import { Connection, type ConnectionHandlers, type Message } from './connection.js';
import { loadDeferredLibrary } from './deferred-library.js';
import { holdWhile } from './keep-alive.js';
import { clusterLog } from './log.js';
import { getTopology } from './topology.js';

export type { Message } from './connection.js';

/** Where a worker accepts connections from other workers. */
export interface PeerAddress {
  host: string;
  port: number;
}

/** What this process knows about another one. */
export interface PeerRecord {
  readonly pid: number;
  /** The connection this process sends on (received messages may come on others too). */
  conn: Connection | null;
  address: PeerAddress | null;
  ident: unknown;
  /** Process 1: connected, joined, and its addWorkerSetup hooks done. Workers: joined. */
  ready: boolean;
  exited: boolean;
  /** Resolve when the peer is gone. */
  readonly exitWaiters: (() => void)[];
}

let selfId = 1;
let workerMode = false;
const peers = new Map<number, PeerRecord>();
const handlers = new Map<string, (msg: Message, from: number) => void>();
const exitHandlers = new Set<(pid: number) => void>();

// --- identity ----------------------------------------------------------------

export function myid(): number {
  return selfId;
}

/** True in a worker process (one that joined a cluster), false on process 1. */
export function isWorker(): boolean {
  return workerMode;
}

/** Called once on a worker when process 1 tells it its id. */
export function becomeWorker(id: number): void {
  selfId = id;
  workerMode = true;
}

/** Ids of the workers (ready ones, sorted); `[1]` when there are none, as in the seed. */
export function workers(): number[] {
  const ids: number[] = [];
  for (const p of peers.values()) if (p.ready && !p.exited && p.pid !== 1) ids.push(p.pid);
  if (workerMode && !ids.includes(selfId)) ids.push(selfId);
  ids.sort((a, b) => a - b);
  return ids.length === 0 ? [1] : ids;
}

/** Every process id: 1 and the workers. */
export function procs(): number[] {
  const w = workers();
  return w.length === 1 && w[0] === 1 ? [1] : [1, ...w];
}

export function nprocs(): number {
  return procs().length;
}

/** The number of workers; 1 when there are none (then process 1 does the work). */
export function nworkers(): number {
  const n = nprocs();
  return n === 1 ? 1 : n - 1;
}

// --- the registry ----------------------------------------------------------------

export function getPeer(pid: number): PeerRecord | undefined {
  return peers.get(pid);
}

/** Whether `pid` was a process of this cluster that has exited or was removed. */
export function hasExited(pid: number): boolean {
  return peers.get(pid)?.exited === true;
}

export function allPeers(): IterableIterator<PeerRecord> {
  return peers.values();
}

export function addPeer(pid: number, address: PeerAddress | null = null, ident: unknown = undefined): PeerRecord {
  let p = peers.get(pid);
  if (p === undefined) {
    p = { pid, conn: null, address, ident, ready: false, exited: false, exitWaiters: [] };
    peers.set(pid, p);
  } else {
    if (address !== null) p.address = address;
    if (ident !== undefined) p.ident = ident;
  }
  return p;
}

/** Resolves once `pid` has gone (at once if it already has). */
export function whenExited(pid: number): Promise<void> {
  const p = peers.get(pid);
  if (p === undefined || p.exited) return Promise.resolve();
  // Waiting for a worker to go is pending work: it keeps process 1 alive (keep-alive.ts).
  return holdWhile(new Promise((resolve) => p.exitWaiters.push(resolve)));
}

/**
 * Marks `pid` as gone: sends to it fail with ProcessExitedException from now
 * on, its connection is closed, and every onProcessExit handler runs once.
 */
export function markExited(pid: number, reason: string): void {
  const p = peers.get(pid);
  if (p === undefined || p.exited) return;
  p.exited = true;
  p.ready = false;
  const conn = p.conn;
  p.conn = null;
  conn?.close(reason);
  for (const h of [...exitHandlers]) {
    try {
      h(pid);
    } catch (e) {
      clusterLog(`an onProcessExit handler failed for process ${pid}: ${(e as Error).stack ?? e}`);
    }
  }
  for (const w of p.exitWaiters.splice(0)) w();
  lostHook?.(pid, reason);
}

let lostHook: ((pid: number, reason: string) => void) | null = null;
/** Process 1 and workers react differently to a lost peer (deregister / exit); they set this. */
export function setPeerLostHook(hook: (pid: number, reason: string) => void): void {
  lostHook = hook;
}

// --- the message bus ---------------------------------------------------------------

/**
 * Sends `msg` to process `pid`. Frames queued in one turn leave in one write.
 * Throws ProcessExitedException for a process that has exited or was removed,
 * RangeError for an id never seen.
 */
export function send(pid: number, msg: Message): void {
  connectionTo(pid, 'send').send(msg);
}

/**
 * Sends a message given as its JSON text, which the caller wrote (internal:
 * the remote layer's calls and replies, whose envelope costs less to write by
 * hand than JSON.stringify takes). `text` must be a JSON object with a string
 * `type` and no handle inside (its values from primitivesJson, or known
 * JSON-safe); it arrives as `send` would deliver the same object.
 */
export function sendJsonText(pid: number, text: string): void {
  connectionTo(pid, 'sendJsonText').sendJsonText(text);
}

function connectionTo(pid: number, who: string): Connection {
  const p = peers.get(pid);
  if (p === undefined) {
    if (pid === selfId) throw new RangeError(`${who}: process ${pid} is this process; run the work locally instead`);
    throw new RangeError(`unknown process id ${pid}`);
  }
  if (p.exited) throw new ProcessExitedException(pid);
  return p.conn ?? openPeerConnection(p);
}

/** Sets the handler for messages of `type` (one per type; a second call replaces it). */
export function onMessage(type: string, handler: (msg: Message, from: number) => void): void {
  if (typeof type !== 'string' || type === '') throw new TypeError('onMessage: type must be a non-empty string');
  if (typeof handler !== 'function') throw new TypeError('onMessage: handler must be a function');
  handlers.set(type, handler);
}

/** Runs `handler(pid)` whenever a peer process is gone; returns the unsubscribe function. */
export function onProcessExit(handler: (pid: number) => void): () => void {
  exitHandlers.add(handler);
  return () => void exitHandlers.delete(handler);
}

function dispatch(msg: Message, from: number): void {
  let h = handlers.get(msg.type);
  if (h === undefined) {
    // A worker that deferred loading the layers above loads them now: their handlers register as they load.
    loadDeferredLibrary();
    h = handlers.get(msg.type);
  }
  if (h === undefined) {
    clusterLog(`dropped a message of unknown type '${msg.type}' from process ${from}`);
    return;
  }
  try {
    h(msg, from);
  } catch (e) {
    clusterLog(`the handler of '${msg.type}' failed on a message from process ${from}: ${(e as Error)?.stack ?? e}`);
  }
}

// --- connections -----------------------------------------------------------------

/** The first message on an accepted connection says who is at the other end. */
const HELLO = 'cluster.hello';
const JOIN = 'cluster.join';

let joinHandler: ((conn: Connection, msg: Message) => void) | null = null;
/** The worker runtime handles 'cluster.join' itself: it arrives before the worker has an id. */
export function setJoinHandler(h: (conn: Connection, msg: Message) => void): void {
  joinHandler = h;
}

export const connectionHandlers: ConnectionHandlers = {
  onMessage(conn, msg) {
    if (conn.peer === 0) {
      if (msg.type === JOIN && joinHandler !== null) return joinHandler(conn, msg);
      if (msg.type === HELLO && workerMode) return acceptHello(conn, msg);
      conn.close('protocol error');
      clusterLog(`closing connection ${conn.label}: first message was '${msg.type}', not a hello`);
      return;
    }
    dispatch(msg, conn.peer);
  },
  onClose(conn, reason) {
    const pid = conn.peer;
    if (pid === 0) return;
    const p = peers.get(pid);
    // Only the connection this process sends on speaks for the peer's liveness.
    if (p !== undefined && p.conn === conn) markExited(pid, `connection lost (${reason})`);
  },
};

function acceptHello(conn: Connection, msg: Message): void {
  const from = msg.from;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 2 || from === selfId) {
    conn.close('bad hello');
    clusterLog(`closing connection ${conn.label}: bad hello`);
    return;
  }
  if (getTopology() === 'master_slave') {
    conn.close('topology master_slave');
    clusterLog(`closing connection from worker ${from}: the topology is master_slave`);
    return;
  }
  conn.peer = from;
  const p = addPeer(from);
  if (p.exited) return conn.close(`process ${from} has exited`);
  // Both sides may dial at once: each keeps sending on the connection it chose first.
  if (p.conn === null) p.conn = conn;
  // Tells a dialer that waits (custom topology joins) that this side has registered it.
  conn.send({ type: 'cluster.welcome' });
}

/** A worker's lazy connection to another worker (all_to_all). */
function openPeerConnection(p: PeerRecord): Connection {
  if (!workerMode) throw new ProcessExitedException(p.pid, 'not connected');
  const topo = getTopology();
  if (topo === 'master_slave') {
    throw new Error(
      `worker ${selfId} cannot send to worker ${p.pid}: the cluster's topology is master_slave (workers talk only to process 1)`,
    );
  }
  if (topo === 'custom' || p.address === null) {
    throw new Error(
      `worker ${selfId} has no connection to worker ${p.pid}` +
        (topo === 'custom' ? ' (the custom topology does not connect them)' : ' (its address is unknown)'),
    );
  }
  return dialPeer(p);
}

/** Opens a connection from this worker to worker `p` and says hello on it. */
export function dialPeer(p: PeerRecord): Connection {
  const { host, port } = p.address!;
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  const conn = new Connection(socket, socket, 'connector', `to worker ${p.pid} at ${host}:${port}`, connectionHandlers);
  conn.peer = p.pid;
  p.conn = conn;
  conn.send({ type: HELLO, from: selfId });
  return conn;
}

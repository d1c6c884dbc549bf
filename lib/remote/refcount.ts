// Distributed reference counting, as Distributed.jl does it. The owner of a
// reference (its `where`) keeps, per process, how many times that process was
// handed the reference minus how many of those it has let go:
//   - whoever sends a reference to process P adds one for P (sent to the owner
//     as an "add", batched per turn);
//   - a process keeps one proxy object per reference and counts how many times
//     it received it; when the proxy is garbage-collected (FinalizationRegistry),
//     or a Future's value has been fetched and cached, it sends one "del" of
//     that count;
//   - a process that exits holds nothing.
// When every count is zero the owner frees the value. Counts may go negative
// for a moment (a receiver's del overtaking the sender's add on another
// connection); the sender's own count keeps the value alive meanwhile.
import { myid, onMessage } from '../cluster/index.js';
import { ChannelStore, FutureStore, type RefStore } from './ref-stores.js';
import { onPeerExit, sendTo, setBeforeSend } from './transport.js';

/** Reference kinds, the first letter of a reference id: Future, RemoteChannel, RemoteRef. */
export type RefKind = 'f' | 'c' | 'r';

export interface OwnedEntry {
  readonly kind: RefKind;
  readonly store: RefStore;
  readonly counts: Map<number, number>;
}

const owned = new Map<string, OwnedEntry>();
let nextRefNumber = 0;

/** A fresh reference id made here: kind, this process, a counter, and the channel size. */
export function newRefId(kind: RefKind, size: number): string {
  const base = `${kind}${myid()}:${++nextRefNumber}`;
  return kind === 'f' ? base : `${base}:${size}`;
}

export function refKind(id: string): RefKind {
  return id[0] as RefKind;
}

/** The size a channel's id carries (`kind:owner:size:...`; 1 when it has none). */
export function refSize(id: string): number {
  const parts = id.split(':');
  return parts.length > 2 ? Number(parts[2]) : 1;
}

/** The owner's entry for `id`, created when the first message about it arrives. */
export function ownedEntry(id: string): OwnedEntry {
  let e = owned.get(id);
  if (e === undefined) {
    const kind = refKind(id);
    const store = kind === 'f' ? new FutureStore() : new ChannelStore(refSize(id));
    e = { kind, store, counts: new Map() };
    owned.set(id, e);
  }
  return e;
}

/** How many references this process owns and keeps values for (introspection for tests). */
export function ownedRefCount(): number {
  return owned.size;
}

/** Adds `n` (negative to remove) to `pid`'s count of `id`; frees the value when no process holds it. */
export function addCount(id: string, pid: number, n: number): void {
  const e = ownedEntry(id);
  const c = (e.counts.get(pid) ?? 0) + n;
  if (c === 0) e.counts.delete(pid);
  else e.counts.set(pid, c);
  if (n < 0 && e.counts.size === 0) free(id, e);
}

function free(id: string, e: OwnedEntry): void {
  owned.delete(id);
  e.store.free();
}

onPeerExit((pid) => {
  for (const [id, e] of owned) {
    if (!e.counts.delete(pid)) continue;
    if (e.counts.size === 0) free(id, e);
  }
  queued.delete(pid);
});

// ---- the client side ----------------------------------------------------------

/** One process's hold on a reference: how many times it received it. */
export interface RefToken {
  readonly id: string;
  readonly where: number;
  n: number;
  released: boolean;
}

const proxies = new Map<string, WeakRef<object>>();
const registry = new FinalizationRegistry<RefToken>((token) => {
  const w = proxies.get(token.id);
  if (w !== undefined && w.deref() === undefined) proxies.delete(token.id);
  release(token);
});

/** Watches `proxy`: when it is collected, the token's count goes back to the owner. */
export function track(proxy: object, token: RefToken): void {
  proxies.set(token.id, new WeakRef(proxy));
  if (token.n > 0) registry.register(proxy, token, token);
}

/** The live proxy of `id` on this process, if any. */
export function liveProxy(id: string): object | undefined {
  return proxies.get(id)?.deref();
}

/** Gives this process's hold back to the owner now (once). */
export function release(token: RefToken): void {
  if (token.released) return;
  token.released = true;
  registry.unregister(token);
  if (token.n > 0) queueRefOp(token.where, [kDel, token.id, token.n]);
  token.n = 0;
}

/** This process received `id` once more while its proxy is alive. */
export function receivedAgain(token: RefToken): void {
  if (token.released) queueRefOp(token.where, [kDel, token.id, 1]);
  else token.n++;
}

/** `id` (owned by `where`) is on its way to process `to`: count it for `to`. */
export function sharing(id: string, where: number, to: number): void {
  queueRefOp(where, [kAdd, id, to]);
}

// Adds and dels for one owner leave in order, in one message per turn.
const kAdd = 1;
const kDel = -1;
type RefOpEntry = [op: typeof kAdd | typeof kDel, id: string, pidOrCount: number];
const queued = new Map<number, RefOpEntry[]>();
let flushScheduled = false;

function queueRefOp(where: number, op: RefOpEntry): void {
  if (where === myid()) {
    // The owner is here: apply at once (not from inside a serializer run, which
    // never reaches here for local owners because no message is needed).
    applyRefOp(op, where);
    return;
  }
  let q = queued.get(where);
  if (q === undefined) queued.set(where, (q = []));
  q.push(op);
  if (!flushScheduled) {
    flushScheduled = true;
    // A microtask, not now: adds are queued while the cluster serializes a
    // message, and sending from inside that would re-enter the serializer.
    queueMicrotask(flushRefOps);
  }
}

/** Sends what is queued for `where` now (before a message that depends on it). */
export function flushRefOpsTo(where: number): void {
  const q = queued.get(where);
  if (q === undefined) return;
  queued.delete(where);
  try {
    sendTo(where, { type: 'remote.refs', o: q });
  } catch {
    // The owner is gone, and with it the values.
  }
}

setBeforeSend((to) => {
  if (queued.size > 0) flushRefOpsTo(to);
});

function flushRefOps(): void {
  flushScheduled = false;
  for (const where of [...queued.keys()]) flushRefOpsTo(where);
}

function applyRefOp(op: RefOpEntry, from: number): void {
  if (op[0] === kAdd) addCount(op[1], op[2], 1);
  else addCount(op[1], from, -op[2]);
}

onMessage('remote.refs', (msg, from) => {
  for (const op of msg.o as RefOpEntry[]) applyRefOp(op, from);
});

// The shipped-function cache, bounded on both sides. A sender remembers, per
// peer, the hashes whose source that peer has from it: at most
// `functionsPerPeer`, the least recently sent first out. When it drops one it
// tells the peer ('remote.fnForget', batched per turn), and the peer frees its
// compiled function once no sender holds it any more. So a program that ships
// endless distinct functions (sources built at run time) keeps a bounded cache
// on every process, while one function called a million times still sends its
// source once.
import { onMessage, onProcessExit, send } from '../cluster/index.js';

type Compiled = (...args: unknown[]) => unknown;

const FORGET = 'remote.fnForget';

let functionsPerPeer = 1024;

/** Changes the bound (internal: tests use a small one). */
export function setFunctionsPerPeer(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`functionsPerPeer must be a positive integer, got ${n}`);
  functionsPerPeer = n;
}

// --- the sender's side -------------------------------------------------------

/**
 * Per peer, the hashes it has from this process, each with the tick of its
 * last move to the back, in that order (a Map keeps insertion order: the
 * front is dropped first).
 */
const sentTo = new Map<number, Map<string, number>>();
/** Counts sends by hash and first sends: the age of an entry, in events. */
let tick = 0;
/** Per peer, hashes dropped this turn whose forget has not left yet. */
const forgets = new Map<number, Set<string>>();
let flushQueued = false;

/**
 * Whether `to` has `hash` from this process. A hit older than half the bound
 * moves to the back: a function used at least that often is never dropped
 * (fewer than the bound first sends can come between two of its moves), and
 * the common case, the same function again and again, is one lookup rather
 * than a delete and an insert per call.
 */
export function peerHas(to: number, hash: string): boolean {
  const sent = sentTo.get(to);
  if (sent === undefined) return false;
  const at = sent.get(hash);
  if (at === undefined) return false;
  if (++tick - at > functionsPerPeer >> 1) {
    sent.delete(hash);
    sent.set(hash, tick);
  }
  return true;
}

/** Records that the source of `hash` is on its way to `to`; may drop the least recently used. */
export function markSent(to: number, hash: string): void {
  let sent = sentTo.get(to);
  if (sent === undefined) sentTo.set(to, (sent = new Map()));
  sent.set(hash, ++tick);
  // Sent again before its forget left: the forget must not leave (the peer keeps it).
  forgets.get(to)?.delete(hash);
  if (sent.size <= functionsPerPeer) return;
  const oldest = sent.keys().next().value as string;
  sent.delete(oldest);
  let f = forgets.get(to);
  if (f === undefined) forgets.set(to, (f = new Set()));
  f.add(oldest);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushForgets);
  }
}

function flushForgets(): void {
  flushQueued = false;
  for (const [to, hashes] of forgets) {
    if (hashes.size === 0) continue;
    try {
      send(to, { type: FORGET, h: [...hashes] });
    } catch {
      // The peer is gone: so is its cache.
    }
  }
  forgets.clear();
}

// --- the receiver's side -----------------------------------------------------

const compiled = new Map<string, Compiled>();
/** Per hash, the senders that count on this process having it. */
const holders = new Map<string, Set<number>>();

/** A compiled function by hash, if this process has it. */
export function cachedFunction(hash: string): Compiled | undefined {
  return compiled.get(hash);
}

/** Keeps `fn` (compiled now or earlier) for as long as some sender holds it; `from` now does. */
export function holdFunction(hash: string, fn: Compiled, from: number): void {
  compiled.set(hash, fn);
  let h = holders.get(hash);
  if (h === undefined) holders.set(hash, (h = new Set()));
  h.add(from);
}

function release(hash: string, from: number): void {
  const h = holders.get(hash);
  if (h === undefined || !h.delete(from) || h.size > 0) return;
  holders.delete(hash);
  compiled.delete(hash);
}

/** How many compiled functions this process keeps. */
export function cachedFunctionCount(): number {
  return compiled.size;
}

/** A peer is gone: what it had from this process, and what it held here. */
function forgetPeerFunctions(pid: number): void {
  sentTo.delete(pid);
  forgets.delete(pid);
  for (const hash of [...holders.keys()]) release(hash, pid);
}

onMessage(FORGET, (msg, from) => {
  if (!Array.isArray(msg.h)) return;
  for (const hash of msg.h) if (typeof hash === 'string') release(hash, from);
});

onProcessExit(forgetPeerFunctions);

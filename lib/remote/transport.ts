// The remote layer's use of the cluster's messages: sending (with the function
// cache kept honest when a send fails), request/reply pairs, cancellation, and
// what happens to pending requests when a peer is gone.
import { ProcessExitedException } from '../errors.js';
import {
  addWorkerSetup,
  holdProcess,
  isWorker,
  myid,
  onMessage,
  onProcessExit,
  releaseProcess,
  primitiveJson,
  primitivesJson,
  send,
  sendJsonText,
  type Message,
} from '../cluster/index.js';
import { decodeError, encodeError, type WireError } from './errors-wire.js';
import { encodeFunction, withSentJournal } from './function-shipping.js';
import { READY_REQUEST } from './ready-answer.js';

let beforeSend: ((to: number) => void) | undefined;

/** Runs before every send (refcount flushes the adds and dels a message may depend on). */
export function setBeforeSend(hook: (to: number) => void): void {
  beforeSend = hook;
}

/** Sends `msg` to process `to`; throws what the cluster throws (unknown id, exited process). */
export function sendTo(to: number, msg: Message): void {
  beforeSend?.(to);
  withSentJournal(to, send, msg);
}

/** How a request leaves: sendTo, or sendCallTo for a call message. */
export type Sender = (to: number, msg: Message) => void;

/**
 * Sends a call message whose `f` holds the function to run: `f` leaves as the
 * function's wire form for `to` (its source the first time, its hash after
 * that), a plain field the receiver decodes itself (remotecall.ts). So a call
 * whose arguments hold no handle is plain data: nothing walks it on arrival.
 */
export function sendCallTo(to: number, msg: Message): void {
  beforeSend?.(to);
  withSentJournal(to, encodeFunctionAndSend, msg);
}

// Inside the journal's scope: a source the message carries counts as the peer's once the send returned.
function encodeFunctionAndSend(to: number, msg: Message): void {
  const f = encodeFunction(msg.f as (...args: never[]) => unknown, to);
  msg.f = f;
  const args = primitivesJson(msg.a as unknown[]);
  if (args === undefined) {
    send(to, msg);
    return;
  }
  // The common call, plain values to a function the peer has: its JSON written here, the same
  // object as JSON.stringify would write, in a third of the time. (A hash is base64url: no escapes.)
  const fn = typeof f === 'string' ? `"${f}"` : JSON.stringify(f);
  const ref = msg.r === undefined ? '' : `,"r":${JSON.stringify(msg.r)}`;
  const request = msg.i === undefined ? '' : `,"i":${msg.i as number}`;
  sendJsonText(to, `{"type":"remote.call","m":"${msg.m as string}","f":${fn},"a":${args}${ref}${request}}`);
}

interface Pending {
  readonly pid: number;
  /** Resolved with the reply's value (`v`) or, for whole-message requests, the reply itself. */
  readonly valueOnly: boolean;
  readonly resolve: (msg: unknown) => void;
  readonly reject: (e: unknown) => void;
  /** Kept alive while the request is pending (a reference whose op is in flight). */
  readonly keep: unknown;
}

const pending = new Map<number, Pending>();
let nextRequestId = 0;

// While any request awaits its reply, this process stays alive (the connections
// alone do not keep process 1 alive: cluster/keep-alive.ts). One hold for all.
function addPending(i: number, p: Pending): void {
  pending.set(i, p);
  if (pending.size === 1) holdProcess();
}

function takePending(i: number): Pending | undefined {
  const p = pending.get(i);
  if (p === undefined) return undefined;
  pending.delete(i);
  if (pending.size === 0) releaseProcess();
  return p;
}

/**
 * Sends a request (`msg.i` is set here) and resolves with the reply message,
 * or rejects with the error the peer replied with, or ProcessExitedException
 * when the peer is gone before replying.
 */
export function request(to: number, msg: Message, keep?: unknown, via: Sender = sendTo): Promise<Message> {
  return start(to, msg, keep, false, via) as Promise<Message>;
}

/** Like request, resolving with the reply's value (one Promise less per call). */
export function requestValue(to: number, msg: Message, via: Sender = sendTo): Promise<unknown> {
  return start(to, msg, undefined, true, via);
}

function start(to: number, msg: Message, keep: unknown, valueOnly: boolean, via: Sender): Promise<unknown> {
  const i = ++nextRequestId;
  msg.i = i;
  return new Promise<unknown>((resolve, reject) => {
    try {
      via(to, msg);
    } catch (e) {
      reject(e);
      return;
    }
    addPending(i, { pid: to, valueOnly, resolve, reject, keep });
  });
}

/** Like request, but `signal` aborting sends a cancel; the peer's answer still decides the outcome. */
export function cancellableRequest(to: number, msg: Message, signal: AbortSignal | undefined, keep?: unknown): Promise<Message> {
  if (signal === undefined) return request(to, msg, keep);
  if (signal.aborted) return Promise.reject(signal.reason);
  msg.c = 1;
  const p = request(to, msg, keep);
  const i = msg.i as number;
  // The owner answers a cancel with the abort reason, unless the operation
  // completed first (then its result arrives and wins: a value is never lost).
  const onAbort = () => {
    try {
      sendTo(to, { type: 'remote.cancel', i, reason: encodeError(signal.reason) });
    } catch {
      // The peer is gone: the pending request is rejected by the exit handler.
    }
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const done = () => signal.removeEventListener('abort', onAbort);
  p.then(done, done);
  return p;
}

/** Sends the reply to request `i` of process `to`: a value, or an error. */
export function reply(to: number, i: number, value: unknown): void {
  try {
    const v = value === undefined ? '' : primitiveJson(value);
    // (`i` came from the wire: written by hand only when it is what a correct peer sends.)
    if (v !== undefined && Number.isSafeInteger(i)) {
      // A plain value (or none): the reply's JSON written here (see encodeFunctionAndSend).
      beforeSend?.(to);
      sendJsonText(to, v === '' ? `{"type":"remote.reply","i":${i}}` : `{"type":"remote.reply","i":${i},"v":${v}}`);
    } else {
      sendTo(to, { type: 'remote.reply', i, v: value });
    }
  } catch (e) {
    if (e instanceof ProcessExitedException) return;
    // The value could not be serialized: the requester learns why.
    replyError(to, i, new TypeError(`the result could not be sent from process ${myid()}: ${(e as Error)?.message ?? e}`));
  }
}

export function replyError(to: number, i: number, error: unknown): void {
  try {
    sendTo(to, { type: 'remote.reply', i, e: encodeError(error) });
  } catch {
    // The requester is gone; nobody is waiting.
  }
}

onMessage('remote.reply', (msg) => {
  const p = takePending(msg.i as number);
  if (p === undefined) return;
  if (msg.e !== undefined) p.reject(decodeError(msg.e as WireError));
  else p.resolve(p.valueOnly ? msg.v : msg);
});

const exitHooks: ((pid: number) => void)[] = [];

/** Runs `hook` when a peer is gone, after pending requests to it were rejected. */
export function onPeerExit(hook: (pid: number) => void): void {
  exitHooks.push(hook);
}

onProcessExit((pid) => {
  for (const [i, p] of pending) {
    if (p.pid !== pid) continue;
    takePending(i);
    p.reject(new ProcessExitedException(pid));
  }
  for (const hook of exitHooks) {
    try {
      hook(pid);
    } catch (e) {
      console.error(`loom: error in a process-exit hook of the remote layer:`, e);
    }
  }
});

// addprocs resolves only once a new worker answered this plain request
// (ready-answer.ts): it is connected and serves. A loom-worker answers before
// it has loaded the layers above the cluster: its first message or handle that
// needs them loads them (cluster/deferred-library.ts), so that a function or
// reference sent to it is decoded all the same. A worker started by other
// means (initWorker) answers once its program has loaded the library.
const kReadySeconds = 30;
if (!isWorker()) {
  addWorkerSetup(async (pid) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`worker ${pid} did not load the loom library within ${kReadySeconds} s (its log says why)`)),
        kReadySeconds * 1000,
      );
    });
    try {
      await Promise.race([request(pid, { type: READY_REQUEST }), late]);
    } finally {
      clearTimeout(timer);
    }
  });
}

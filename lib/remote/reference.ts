// What Future and RemoteChannel share: an id, the owner (`where`), this
// process's hold on it (refcount.ts), and operations that run on the owner's
// store, here when the owner is this process, by one request otherwise.
import { holdWhile, myid, nprocs, onMessage, type Message } from '../cluster/index.js';
import type { WaitOptions } from '../tasks/protocol.js';
import { checkWaitOptions } from '../tasks/wait-options.js';
import { decodeError, type WireError } from './errors-wire.js';
import { addCount, newRefId, ownedEntry, release, sharing, track, type RefKind, type RefToken } from './refcount.js';
import type { RefOp } from './ref-stores.js';
import { cancellableRequest, onPeerExit, reply, replyError } from './transport.js';
import { checkPid } from './pids.js';

// Set while a proxy for an existing reference is being made (see attach).
let attaching: { id: string; where: number; n: number } | undefined;

export abstract class RemoteReference {
  /** The process that owns the value (Julia's `where`). */
  readonly where: number;
  /** The reference id (unique in the cluster). */
  readonly id: string;
  /** @internal this process's hold on the reference */
  readonly token: RefToken;

  protected constructor(kind: RefKind, size: number, pid: number | undefined, who: string) {
    const a = attaching;
    attaching = undefined;
    if (a !== undefined) {
      this.id = a.id;
      this.where = a.where;
      this.token = { id: a.id, where: a.where, n: a.n, released: a.n === 0 };
      track(this, this.token);
      return;
    }
    const where = pid === undefined ? myid() : checkPid(pid, who);
    this.id = newRefId(kind, size);
    this.where = where;
    this.token = { id: this.id, where, n: 1, released: false };
    if (where === myid()) {
      ownedEntry(this.id);
      addCount(this.id, where, 1);
    } else {
      // The owner creates its store when the first message about the id arrives;
      // this "add" (flushed before any other message to the owner) is the creator's hold.
      shareForCreation(this.id, where);
    }
    track(this, this.token);
  }

  /** Runs an operation on the owner's store. */
  protected runOp(op: RefOp, value: unknown, options: WaitOptions | undefined, who: string): Promise<unknown> {
    if (options !== undefined) checkWaitOptions(options, who);
    if (this.where === myid()) {
      let r: unknown;
      try {
        r = ownedEntry(this.id).store.run(op, value, options);
      } catch (e) {
        return Promise.reject(e);
      }
      if (!(r instanceof Promise)) return Promise.resolve(r);
      // A wait here may be ended by a worker's message: it keeps this process alive meanwhile
      // (the workers' connections alone do not: cluster/keep-alive.ts).
      return nprocs() > 1 ? holdWhile(r) : r;
    }
    // Only defined fields, so that a plain message can travel as JSON.
    const msg: Message = { type: 'remote.op', r: this.id, o: op };
    if (value !== undefined) msg.v = value;
    if (options?.timeout !== undefined) msg.t = options.timeout;
    return cancellableRequest(this.where, msg, options?.signal, this).then((m) => m.v);
  }

  /** Gives this process's hold back to the owner now rather than at garbage collection. */
  protected releaseHold(): void {
    release(this.token);
  }
}

/**
 * Makes (or finds) this process's proxy for reference `id` owned by `where`;
 * `n` is how many holds it brings (1 when a sender counted it for us, 0 when
 * it came with its value and needs nothing from the owner).
 */
export function attach<R extends RemoteReference>(id: string, where: number, n: number, make: () => R): R {
  attaching = { id, where, n };
  try {
    return make();
  } finally {
    attaching = undefined;
  }
}

function shareForCreation(id: string, where: number): void {
  sharing(id, where, myid());
}

// ---- the owner's side ------------------------------------------------------------

// Operations that a requester may still cancel, by requester and request id.
const running = new Map<string, AbortController>();

onMessage('remote.op', (msg, from) => {
  const i = msg.i as number;
  let options: WaitOptions | undefined;
  let key: string | undefined;
  if (msg.t !== undefined || msg.c) {
    options = {};
    if (typeof msg.t === 'number') options.timeout = msg.t;
    if (msg.c) {
      const ac = new AbortController();
      key = `${from}:${i}`;
      running.set(key, ac);
      options.signal = ac.signal;
    }
  }
  let result: unknown;
  try {
    result = ownedEntry(msg.r as string).store.run(msg.o as RefOp, msg.v, options);
  } catch (e) {
    if (key !== undefined) running.delete(key);
    replyError(from, i, e);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (v) => {
        if (key !== undefined) running.delete(key);
        reply(from, i, v);
      },
      (e) => {
        if (key !== undefined) running.delete(key);
        replyError(from, i, e);
      },
    );
  } else reply(from, i, result);
});

onMessage('remote.cancel', (msg, from) => {
  const ac = running.get(`${from}:${msg.i as number}`);
  if (ac === undefined) return; // already answered
  ac.abort(msg.reason === undefined ? new Error('aborted') : decodeError(msg.reason as WireError));
});

onPeerExit((pid) => {
  const prefix = `${pid}:`;
  for (const [key, ac] of running) {
    if (key.startsWith(prefix)) {
      running.delete(key);
      ac.abort(new Error(`process ${pid} exited`));
    }
  }
});

// Who takes part in a shared object: the `pids` option checked and defaulted
// (every process on the creator's host), and the remote calls that map the object
// on each of them and run `init` there.
import { addWorkerSetup, myid, onMessage, onProcessExit, procs, send } from '../cluster/index.js';
import { CompositeException } from '../errors.js';
import { remotecallFetch, remotecallWait, remoteFn } from '../remote/index.js';
import { HOST_ANSWER, HOST_QUESTION } from './host-answer.js';
import { hostIdentity } from './host-identity.js';

const entry = new URL('./remote-entry.js', import.meta.url).href;
const hostOf = new Map<number, Promise<string>>();
let exitHookInstalled = false;

function hostIdentityOf(pid: number): Promise<string> {
  if (pid === myid()) return Promise.resolve(hostIdentity());
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    onProcessExit((p) => hostOf.delete(p));
  }
  let id = hostOf.get(pid);
  if (id === undefined) {
    id = remotecallFetch(pid, remoteFn<() => string>(entry, 'hostIdentity')) as Promise<string>;
    hostOf.set(pid, id);
    id.catch(() => hostOf.delete(pid));
  }
  return id;
}

// Each new worker tells process 1 its host identity while addprocs sets it up, so that
// default pids need no round trip later. The question is a plain message of this
// layer; host-answer.ts answers it (a worker loads that before it joins).
const hostWaiters = new Map<number, (identity: string) => void>();
const joinAnswerSeconds = 30;

onMessage(HOST_ANSWER, (msg, from) => {
  if (typeof msg.identity === 'string') hostWaiters.get(from)?.(msg.identity);
});

addWorkerSetup(
  (pid) =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        hostWaiters.delete(pid);
        stopWatching();
        resolve();
      };
      // A worker that does not answer is asked again, lazily, when a shared object needs it.
      const timer = setTimeout(done, joinAnswerSeconds * 1000);
      const stopWatching = onProcessExit((p) => {
        if (p === pid) done();
      });
      hostWaiters.set(pid, (identity) => {
        hostOf.set(pid, Promise.resolve(identity));
        done();
      });
      try {
        send(pid, { type: HOST_QUESTION });
      } catch {
        done();
      }
    }),
);

/**
 * The processes that will map a new shared object: `pids` as given (checked: known
 * ids, no repeats, all on this process's host), or by default every process on this
 * host, this one included.
 */
export async function resolvePids(pids: unknown): Promise<readonly number[]> {
  const me = myid();
  const all = procs();
  const here = hostIdentity();
  if (pids === undefined) {
    const hosts = await Promise.all(all.map((p) => hostIdentityOf(p)));
    return Object.freeze(all.filter((_, k) => hosts[k] === here));
  }
  if (!Array.isArray(pids) || pids.length === 0) {
    throw new TypeError(`pids must be a non-empty array of process ids, got ${Array.isArray(pids) ? '[]' : typeof pids}`);
  }
  const seen = new Set<number>();
  for (const p of pids as unknown[]) {
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 1) throw new RangeError(`pids: ${String(p)} is not a process id`);
    if (seen.has(p)) throw new RangeError(`pids: process ${p} is listed twice`);
    if (!all.includes(p)) throw new RangeError(`pids: unknown process id ${p} (processes are [${all.join(', ')}])`);
    seen.add(p);
  }
  const list = [...seen];
  const hosts = await Promise.all(list.map((p) => hostIdentityOf(p)));
  const elsewhere = list.filter((_, k) => hosts[k] !== here);
  if (elsewhere.length > 0) {
    throw new RangeError(
      `pids [${list.join(', ')}] must all be on one host, the one of process ${me} that creates the shared memory; ` +
        `process${elsewhere.length > 1 ? 'es' : ''} ${elsewhere.join(', ')} run${elsewhere.length > 1 ? '' : 's'} on another host`,
    );
  }
  return Object.freeze(list);
}

/** Maps `shared` on every process of `pids` but this one (it is mapped on arrival). */
export async function mapOnAll(shared: object, pids: readonly number[]): Promise<void> {
  const me = myid();
  await settleAll(pids.filter((p) => p !== me).map((p) => remotecallWait(p, remoteFn<(shared: object) => void>(entry, 'attach'), shared)));
}

/** Runs `fn(shared)` on each of `pids` (here directly), all of them, then rethrows any failure. */
export async function runOnAll(fn: (x: never) => unknown, shared: object, pids: readonly number[]): Promise<void> {
  const me = myid();
  await settleAll(
    pids.map((p) =>
      p === me
        ? Promise.resolve().then(() => (fn as (x: object) => unknown)(shared))
        : remotecallWait(p, fn as (x: object) => unknown, shared),
    ),
  );
}

/** Waits for every promise; one failure rethrows it, several a CompositeException. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new CompositeException(errors);
}

export { myid };

// Process lifetime on process 1: a script ends when its work is done, as a
// Julia script does. The handles to workers (their connections, child
// processes and stdio pipes) do not keep the event loop alive by themselves
// (see `letGo`); what does is work in flight: a request awaiting its reply, a
// local wait that a worker will end, an addprocs in progress. Those hold the
// process through one ref-counted handle (ref at 0 -> 1, unref at 1 -> 0).
// When process 1 then exits, the workers see their connection and stdin close
// and exit too (worker-runtime.ts): no orphans.

/** Anything with Node's ref/unref pair (sockets, pipes, child processes, timers). */
interface Unrefable {
  unref(): unknown;
}

let holds = 0;
let handle: NodeJS.Timeout | null = null;
const noop = (): void => {};
/** The longest interval Node accepts: the timer never fires in practice, it only refs the loop. */
const FOREVER_MS = 0x7fffffff;

/** Keeps this process alive until the matching releaseProcess. */
export function holdProcess(): void {
  if (holds++ === 0) {
    if (handle === null) handle = setInterval(noop, FOREVER_MS);
    else handle.ref();
  }
}

export function releaseProcess(): void {
  if (holds === 0) return;
  if (--holds === 0) handle!.unref();
}

/** Holds this process until `p` settles; returns `p`. */
export function holdWhile<T>(p: Promise<T>): Promise<T> {
  holdProcess();
  p.then(releaseProcess, releaseProcess);
  return p;
}

/** Lets these handles stop keeping the event loop alive (those without unref are skipped). */
export function letGo(...handles: unknown[]): void {
  for (const h of handles) {
    if (h !== null && typeof h === 'object' && typeof (h as Partial<Unrefable>).unref === 'function') {
      (h as Unrefable).unref();
    }
  }
}

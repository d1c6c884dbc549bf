// The error types of the seed chapter, in one place so every layer can throw
// them without importing a layer above it.

/** Thrown by `sync` (and `everywhere`) when one or more tasks failed. */
export class CompositeException extends Error {
  readonly exceptions: Error[];
  constructor(exceptions: unknown[]) {
    const errs = exceptions.map(toError);
    const first = errs[0];
    const rest = errs.length - 1;
    const head = first ? `${first.name}: ${first.message}` : 'no exceptions';
    super(rest > 0 ? `${head} ...and ${rest} other exception${rest === 1 ? '' : 's'}` : head);
    this.name = 'CompositeException';
    this.exceptions = errs;
  }
}

/** Raised by operations on a closed Channel (`state` is `'closed'`). */
export class InvalidStateException extends Error {
  readonly state: string;
  constructor(message: string, state = 'closed') {
    super(message);
    this.name = 'InvalidStateException';
    this.state = state;
  }
}

/** An exception thrown on another process, rebuilt here; `cause` is the original. */
export class RemoteException extends Error {
  readonly pid: number;
  constructor(pid: number, cause: Error) {
    super(`On worker ${pid}: ${cause.name}: ${cause.message}`, { cause });
    this.name = 'RemoteException';
    this.pid = pid;
  }
  override get cause(): Error {
    return super.cause as Error;
  }
}

/** The process a call or reference depended on has exited or was removed. */
export class ProcessExitedException extends Error {
  readonly pid: number;
  constructor(pid: number, detail?: string) {
    super(`worker ${pid} has exited${detail ? `: ${detail}` : ''}`);
    this.name = 'ProcessExitedException';
    this.pid = pid;
  }
}

/** What an interrupted remote call fails with (`interrupt(pid)`). */
export class InterruptException extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptException';
  }
}

/** A wait given `{ timeout }` (seconds) ran out before it completed (`code` is 'ETIMEDOUT'). */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly timeout: number;
  constructor(timeout: number, what = 'wait') {
    super(`${what} timed out after ${timeout} s`);
    this.name = 'TimeoutError';
    this.timeout = timeout;
  }
}

export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  const err = new Error(typeof e === 'string' ? e : `non-Error value thrown: ${safeString(e)}`);
  (err as Error & { value?: unknown }).value = e;
  return err;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

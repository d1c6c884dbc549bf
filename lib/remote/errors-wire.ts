// Errors cross processes as plain data and are rebuilt on arrival with their
// class (when it is a built-in or a loom class), name, message, the stack of
// the process that threw, own enumerable properties and their `cause` chain,
// so that `err.cause.code === 'ENOENT'` or `instanceof TypeError` still hold.
import {
  CompositeException,
  InterruptException,
  InvalidStateException,
  ProcessExitedException,
  RemoteException,
  TimeoutError,
  toError,
} from '../errors.js';
import { errorClassNamed } from '../cluster/index.js';

/** An error as it travels: name, message, stack, own properties, cause. */
export interface WireError {
  readonly n: string;
  readonly m: string;
  readonly s?: string;
  /** Own enumerable properties (values that are Errors travel as WireError). */
  readonly p?: Record<string, unknown>;
  /** The cause: an error, or any other value under `v`. */
  readonly c?: WireError | { readonly v: unknown };
  /** RemoteException's pid. */
  readonly pid?: number;
  /** Marks a WireError among property values. */
  readonly $e: 1;
}

const kMaxDepth = 16;

export function encodeError(e: unknown, depth = 0): WireError {
  const err = toError(e);
  const out: {
    n: string; m: string; s?: string; p?: Record<string, unknown>;
    c?: WireError | { v: unknown }; pid?: number; $e: 1;
  } = { n: err.name, m: err.message, $e: 1 };
  if (typeof err.stack === 'string') out.s = err.stack;
  if (err instanceof RemoteException) out.pid = err.pid;
  if (depth < kMaxDepth) {
    const props: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(err)) {
      if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
      props[key] = encodeProp((err as unknown as Record<string, unknown>)[key], depth);
      any = true;
    }
    // AggregateError keeps its errors in a non-enumerable own property.
    if (err instanceof AggregateError && !('errors' in props)) {
      props.errors = encodeProp(err.errors, depth);
      any = true;
    }
    if (any) out.p = props;
    if ('cause' in err && err.cause !== undefined) {
      const cause = err.cause;
      out.c = cause instanceof Error ? encodeError(cause, depth + 1) : { v: encodeProp(cause, depth) };
    }
  }
  return out;
}

function encodeProp(v: unknown, depth: number): unknown {
  if (v instanceof Error) return encodeError(v, depth + 1);
  if (Array.isArray(v) && v.some((x) => x instanceof Error)) return v.map((x) => encodeProp(x, depth));
  if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) return v;
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  try {
    structuredClone(v);
    return v;
  } catch {
    return String(v);
  }
}

export function isWireError(v: unknown): v is WireError {
  return typeof v === 'object' && v !== null && (v as { $e?: unknown }).$e === 1 && typeof (v as WireError).n === 'string';
}

const builtins: Record<string, new (message: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

export function decodeError(w: WireError, depth = 0): Error {
  const props = w.p ? decodeProps(w.p, depth) : undefined;
  const cause = w.c === undefined ? undefined : isWireError(w.c) ? decodeError(w.c, depth + 1) : (w.c as { v: unknown }).v;
  let err: Error;
  switch (w.n) {
    case 'RemoteException':
      err = new RemoteException(w.pid ?? 0, cause instanceof Error ? cause : toError(cause));
      break;
    case 'CompositeException':
      err = new CompositeException(Array.isArray(props?.exceptions) ? (props.exceptions as unknown[]) : []);
      break;
    case 'InvalidStateException':
      err = new InvalidStateException(w.m, typeof props?.state === 'string' ? props.state : 'closed');
      break;
    case 'ProcessExitedException':
      err = new ProcessExitedException(typeof props?.pid === 'number' ? props.pid : 0);
      break;
    case 'InterruptException':
      err = new InterruptException(w.m);
      break;
    case 'TimeoutError':
      err = new TimeoutError(typeof props?.timeout === 'number' ? props.timeout : 0);
      break;
    case 'AggregateError':
      err = new AggregateError(Array.isArray(props?.errors) ? (props.errors as unknown[]) : [], w.m);
      break;
    default: {
      // JS's own classes are constructed; a class registered with the cluster (registerErrorClass)
      // gets its prototype back without running its constructor, as in any other message.
      const Native = builtins[w.n];
      const Registered = Native === undefined ? errorClassNamed(w.n) : undefined;
      err = Native !== undefined ? new Native(w.m) : Registered !== undefined ? (Object.create(Registered.prototype) as Error) : new Error(w.m);
      if (err.name !== w.n) define(err, 'name', w.n);
    }
  }
  if (err.message !== w.m) define(err, 'message', w.m);
  if (w.s !== undefined) define(err, 'stack', w.s);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      try {
        (err as unknown as Record<string, unknown>)[k] = v;
      } catch {
        define(err, k, v);
      }
    }
  }
  if (cause !== undefined && w.n !== 'RemoteException') define(err, 'cause', cause);
  return err;
}

function decodeProps(p: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = decodeProp(v, depth);
  return out;
}

function decodeProp(v: unknown, depth: number): unknown {
  if (isWireError(v)) return decodeError(v, depth + 1);
  if (Array.isArray(v) && v.some(isWireError)) return v.map((x) => decodeProp(x, depth));
  return v;
}

function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: false });
}

/** The RemoteException a failure on process `pid` becomes (kept as is when it already is one from there). */
export function captureRemote(pid: number, e: unknown): RemoteException {
  if (e instanceof RemoteException && e.pid === pid) return e;
  return new RemoteException(pid, toError(e));
}

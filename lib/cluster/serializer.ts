// How values cross processes: node:v8 structured serialization, plus a small
// tag scheme for "handles", the values that must not be copied as they are
// (futures, remote channels, shared arrays, functions, and Errors, which v8
// alone would strip of their cause, own properties and class).
//
// A handle is replaced in the payload by a plain object `{ [HANDLE_KEY]: tag,
// d: data }`. The encoder walks plain objects, arrays, Maps and Sets, and copies
// a container only when something inside it was replaced; the flags byte of the
// frame says whether any handle is inside, so the receiver walks the decoded
// value only when there is something to find.
import v8 from 'node:v8';
import {
  CompositeException,
  InterruptException,
  InvalidStateException,
  ProcessExitedException,
  RemoteException,
} from '../errors.js';

/** How a handle type travels; see registerHandle. */
export interface HandleSpec<T> {
  /** Unique name of the handle type ('future', 'sharedarray', ...). */
  tag: string;
  is(v: unknown): v is T;
  /** Plain data for the value, on its way to process `to` (may itself contain handles). */
  encode(v: T, to: number): unknown;
  /** Rebuilds the value from `encode`'s data, arrived from process `from`. */
  decode(data: unknown, from: number): unknown;
}

/** The key that marks an encoded handle; NUL-prefixed so that no ordinary object has it. */
export const HANDLE_KEY = '\u0000loom';

/** Frame flag: the payload contains at least one handle. */
export const FLAG_HANDLES = 1;

type AnySpec = HandleSpec<unknown>;
const specs: AnySpec[] = [];
const specsByTag = new Map<string, AnySpec>();

/**
 * Registers a handle type on this process. Every process that may receive the
 * handle must register the same tag (module top level is the usual place, as
 * the worker entry imports the whole library). Registering a tag again
 * replaces the earlier spec.
 */
export function registerHandle<T>(spec: HandleSpec<T>): void {
  if (typeof spec?.tag !== 'string' || spec.tag === '') throw new TypeError('registerHandle: spec.tag must be a non-empty string');
  for (const k of ['is', 'encode', 'decode'] as const) {
    if (typeof spec[k] !== 'function') throw new TypeError(`registerHandle: spec.${k} must be a function`);
  }
  const s = spec as unknown as AnySpec;
  const old = specsByTag.get(spec.tag);
  if (old !== undefined) specs.splice(specs.indexOf(old), 1);
  specs.push(s);
  specsByTag.set(spec.tag, s);
}

// --- encoding -------------------------------------------------------------

/** State of one encode call; module-level so that a message costs no allocation for it. */
let sawHandle = false;
let encodeTo = 0;
const inProgress = new Set<object>();

/** Serializes one message for process `to`: returns the frame body (flags byte + v8 bytes). */
export function encodeMessage(msg: unknown, to: number): Buffer {
  sawHandle = false;
  encodeTo = to;
  let value: unknown;
  try {
    value = encodeValue(msg);
  } finally {
    inProgress.clear();
  }
  const ser = new v8.DefaultSerializer();
  // Reserve the flags byte in the same buffer: one allocation per message.
  ser.writeRawBytes(sawHandle ? FLAGS_WITH_HANDLES : FLAGS_PLAIN);
  ser.writeHeader();
  ser.writeValue(value);
  return ser.releaseBuffer();
}

const FLAGS_PLAIN = Buffer.from([0]);
const FLAGS_WITH_HANDLES = Buffer.from([FLAG_HANDLES]);

function encodeValue(v: unknown): unknown {
  if (v === null) return v;
  const t = typeof v;
  if (t !== 'object' && t !== 'function') return v;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i]!;
    if (s.is(v)) {
      sawHandle = true;
      return { [HANDLE_KEY]: s.tag, d: encodeValue(s.encode(v, encodeTo)) };
    }
  }
  if (t === 'function') return v; // v8 will refuse it with a DataCloneError naming it
  const o = v as object;
  if (o instanceof Error) {
    sawHandle = true;
    return { [HANDLE_KEY]: ERROR_TAG, d: encodeError(o) };
  }
  if (inProgress.has(o)) return o; // a cycle: v8 keeps the reference
  if (Array.isArray(o)) return encodeArray(o);
  const proto = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) return encodeObject(o as Record<string, unknown>);
  if (o instanceof Map) return encodeMap(o);
  if (o instanceof Set) return encodeSet(o);
  return o;
}

function encodeArray(a: unknown[]): unknown[] {
  inProgress.add(a);
  let out: unknown[] | null = null;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = encodeValue(x);
    if (y !== x && out === null) out = a.slice(0, i);
    if (out !== null) out.push(y);
  }
  inProgress.delete(a);
  return out ?? a;
}

function encodeObject(o: Record<string, unknown>): Record<string, unknown> {
  inProgress.add(o);
  let out: Record<string, unknown> | null = null;
  for (const k in o) {
    const x = o[k];
    const y = encodeValue(x);
    if (y !== x) {
      if (out === null) out = { ...o };
      out[k] = y;
    }
  }
  inProgress.delete(o);
  return out ?? o;
}

function encodeMap(m: Map<unknown, unknown>): Map<unknown, unknown> {
  inProgress.add(m);
  let changed = false;
  const entries: [unknown, unknown][] = [];
  for (const [k, x] of m) {
    const k2 = encodeValue(k);
    const y = encodeValue(x);
    if (k2 !== k || y !== x) changed = true;
    entries.push([k2, y]);
  }
  inProgress.delete(m);
  return changed ? new Map(entries) : m;
}

function encodeSet(s: Set<unknown>): Set<unknown> {
  inProgress.add(s);
  let changed = false;
  const items: unknown[] = [];
  for (const x of s) {
    const y = encodeValue(x);
    if (y !== x) changed = true;
    items.push(y);
  }
  inProgress.delete(s);
  return changed ? new Set(items) : s;
}

// --- decoding -------------------------------------------------------------

/** Deserializes a frame body from process `from`; throws on malformed bytes. */
export function decodeMessage(body: Buffer, from: number): unknown {
  const flags = body[0]!;
  const des = new v8.DefaultDeserializer(body.subarray(1));
  des.readHeader();
  const value = des.readValue();
  if ((flags & FLAG_HANDLES) === 0) return value;
  return decodeValue(value, from);
}

function decodeValue(v: unknown, from: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodeValue(v[i], from);
    return v;
  }
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [decodeValue(k, from), decodeValue(x, from)] as [unknown, unknown]);
    v.clear();
    for (const [k, x] of entries) v.set(k, x);
    return v;
  }
  if (v instanceof Set) {
    const items = [...v].map((x) => decodeValue(x, from));
    v.clear();
    for (const x of items) v.add(x);
    return v;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const o = v as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, HANDLE_KEY)) {
    const tag = o[HANDLE_KEY] as string;
    const data = decodeValue(o.d, from);
    if (tag === ERROR_TAG) return decodeError(data as EncodedError);
    const spec = specsByTag.get(tag);
    if (spec === undefined) {
      throw new TypeError(`received a handle with tag '${tag}' from process ${from}, but no handler for it is registered here`);
    }
    return spec.decode(data, from);
  }
  for (const k in o) o[k] = decodeValue(o[k], from);
  return o;
}

// --- Errors, the built-in handle --------------------------------------------

const ERROR_TAG = 'error';

interface EncodedError {
  name: string;
  /** Constructor name, to rebuild the right class where it is known. */
  ctor: string;
  message: string;
  stack: string | undefined;
  hasCause: boolean;
  cause: unknown;
  props: Record<string, unknown>;
}

const knownErrorClasses = new Map<string, ErrorConstructor>();
for (const c of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError] as ErrorConstructor[]) {
  knownErrorClasses.set(c.name, c);
}
for (const c of [CompositeException, InvalidStateException, RemoteException, ProcessExitedException, InterruptException]) {
  knownErrorClasses.set(c.name, c as unknown as ErrorConstructor);
}

/** Lets Errors of class `ctor` arrive as that class (prototype restored, constructor not run). */
export function registerErrorClass(ctor: new (...args: never[]) => Error): void {
  knownErrorClasses.set(ctor.name, ctor as unknown as ErrorConstructor);
}

function encodeError(e: Error): EncodedError {
  const props: Record<string, unknown> = {};
  for (const k of Object.keys(e)) {
    if (k === 'stack' || k === 'message' || k === 'cause') continue;
    props[k] = (e as unknown as Record<string, unknown>)[k];
  }
  const hasCause = Object.prototype.hasOwnProperty.call(e, 'cause') || (e as { cause?: unknown }).cause !== undefined;
  let stack: string | undefined;
  try {
    stack = typeof e.stack === 'string' ? e.stack : undefined;
  } catch {
    stack = undefined;
  }
  return {
    name: String(e.name),
    ctor: e.constructor?.name ?? 'Error',
    message: String(e.message),
    stack,
    hasCause,
    cause: hasCause ? encodeValue((e as { cause?: unknown }).cause) : undefined,
    props: encodeObject(props),
  };
}

function decodeError(d: EncodedError): Error {
  const ctor = knownErrorClasses.get(d.ctor) ?? knownErrorClasses.get(d.name) ?? Error;
  const e = Object.create(ctor.prototype) as Error;
  const define = (k: string, value: unknown) =>
    Object.defineProperty(e, k, { value, writable: true, configurable: true, enumerable: false });
  define('message', d.message);
  if (d.stack !== undefined) define('stack', d.stack);
  if (e.name !== d.name) define('name', d.name);
  if (d.hasCause) define('cause', d.cause);
  for (const k of Object.keys(d.props)) {
    if (k === 'name') continue;
    (e as unknown as Record<string, unknown>)[k] = d.props[k];
  }
  return e;
}

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
//
// The same walk notes whether the message is small plain data (strings,
// finite numbers, booleans, null, plain objects, arrays, no shared references):
// such a message travels as JSON, which delivers the very same value at about
// a tenth of v8.serialize's per-message cost (a v8 Serializer is a C++ object
// per call). Everything else goes through node:v8.
import v8 from 'node:v8';
import {
  CompositeException,
  InterruptException,
  InvalidStateException,
  ProcessExitedException,
  RemoteException,
  TimeoutError,
} from '../errors.js';
import { loadDeferredLibrary } from './deferred-library.js';

/** How a handle type travels; see registerHandle. */
export interface HandleSpec<T> {
  /** Unique name of the handle type ('future', 'sharedarray', ...). */
  tag: string;
  /** Asked only about functions and objects other than arrays and plain objects (those are never handles). */
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

/**
 * State of one encode call; module-level so that a message costs no
 * allocation for it. `memo` maps each container visited to its encoded form
 * (itself while in progress, so a cycle returns the original, which v8 keeps).
 */
let sawHandle = false;
let jsonSafe = true;
let nodeBudget = 0;
let encodeTo = 0;

// The memo: a short list, scanned (a message holds a few containers, and a
// Map would cost a new table per message and an identity hash per object),
// moved into a Map once a message holds more than kMemoList containers.
const kMemoList = 16;
const memoKeys: (object | undefined)[] = [];
const memoValues: unknown[] = [];
let memoCount = 0;
let memoMap: Map<object, unknown> | null = null;
const NOT_SEEN = Symbol('not seen');

function memoGet(o: object): unknown {
  if (memoMap !== null) return memoMap.has(o) ? memoMap.get(o) : NOT_SEEN;
  for (let i = 0; i < memoCount; i++) if (memoKeys[i] === o) return memoValues[i];
  return NOT_SEEN;
}

/** Records `o` as visited, standing for itself until memoSet says otherwise. */
function memoEnter(o: object): void {
  if (memoMap === null && memoCount === kMemoList) {
    memoMap = new Map();
    for (let i = 0; i < memoCount; i++) memoMap.set(memoKeys[i]!, memoValues[i]);
  }
  if (memoMap !== null) {
    memoMap.set(o, o);
    return;
  }
  memoKeys[memoCount] = o;
  memoValues[memoCount] = o;
  memoCount++;
}

function memoSet(o: object, encoded: unknown): void {
  if (memoMap !== null) {
    memoMap.set(o, encoded);
    return;
  }
  for (let i = memoCount - 1; i >= 0; i--) {
    if (memoKeys[i] === o) {
      memoValues[i] = encoded;
      return;
    }
  }
}

/** Forgets the message's containers (the list keeps no reference to them). */
function memoClear(): void {
  for (let i = 0; i < memoCount; i++) {
    memoKeys[i] = undefined;
    memoValues[i] = undefined;
  }
  memoCount = 0;
  memoMap = null;
}

/**
 * Small messages made only of strings, finite numbers, booleans, null, plain
 * objects and arrays (no shared or cyclic references) travel as JSON: the same
 * value arrives, at a tenth of v8.serialize's cost per message. Everything
 * else, and anything with more than this many values, goes through node:v8.
 */
const JSON_MAX_NODES = 256;

/** Frame flag: the body after the flags byte is UTF-8 JSON rather than v8 bytes. */
export const FLAG_JSON = 2;

/** The flags byte of the last encodeForWire that returned a string. */
let lastJsonFlags = 0;

/** The flags byte that goes with the JSON string encodeForWire returned last. */
export function lastJsonFrameFlags(): number {
  return lastJsonFlags;
}

/**
 * Serializes one message for process `to`: a JSON string (its flags in
 * `lastJsonFrameFlags()`; the frame writer puts both in its buffer), or a Buffer that
 * is the whole frame body (flags byte + v8 bytes).
 */
export function encodeForWire(msg: unknown, to: number): string | Buffer {
  sawHandle = false;
  jsonSafe = true;
  nodeBudget = JSON_MAX_NODES;
  encodeTo = to;
  let value: unknown;
  try {
    value = encodeValue(msg);
  } finally {
    memoClear();
  }
  if (jsonSafe) {
    lastJsonFlags = FLAG_JSON | (sawHandle ? FLAG_HANDLES : 0);
    return JSON.stringify(value);
  }
  const ser = new v8.DefaultSerializer();
  // The flags byte goes in the same buffer: one allocation per message.
  ser.writeRawBytes(sawHandle ? FLAGS_WITH_HANDLES : FLAGS_PLAIN);
  ser.writeHeader();
  ser.writeValue(value);
  return ser.releaseBuffer();
}

/**
 * The JSON text of `values` when every one is a value JSON carries exactly
 * (a string, boolean, null, or finite number other than -0) and there are at
 * most `JSON_MAX_PRIMITIVES` of them; else undefined. For callers that write a
 * message's envelope as JSON text themselves (sendJsonText): such values need
 * no walk, hold no handle and need no node:v8.
 */
export function primitivesJson(values: readonly unknown[]): string | undefined {
  if (values.length > JSON_MAX_PRIMITIVES) return undefined;
  for (let i = 0; i < values.length; i++) if (!isJsonPrimitive(values[i])) return undefined;
  return JSON.stringify(values);
}

/** primitivesJson for one value. */
export function primitiveJson(v: unknown): string | undefined {
  return isJsonPrimitive(v) ? JSON.stringify(v) : undefined;
}

const JSON_MAX_PRIMITIVES = 64;

function isJsonPrimitive(v: unknown): boolean {
  const t = typeof v;
  if (t === 'string' || t === 'boolean' || v === null) return true;
  return t === 'number' && isJsonNumber(v as number);
}

/** A number JSON carries exactly: finite, and not -0. */
function isJsonNumber(n: number): boolean {
  return Number.isFinite(n) && !Object.is(n, -0);
}

/** Serializes one message for process `to`: returns the frame body (flags byte + payload). */
export function encodeMessage(msg: unknown, to: number): Buffer {
  const r = encodeForWire(msg, to);
  if (typeof r !== 'string') return r;
  const body = Buffer.from(` ${r}`, 'utf8');
  body[0] = lastJsonFlags;
  return body;
}

const FLAGS_PLAIN = Buffer.from([0]);
const FLAGS_WITH_HANDLES = Buffer.from([FLAG_HANDLES]);

function encodeValue(v: unknown): unknown {
  if (--nodeBudget < 0) jsonSafe = false;
  if (v === null) return v;
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return v;
  if (t === 'number') {
    if (!isJsonNumber(v as number)) jsonSafe = false;
    return v;
  }
  if (t !== 'object' && t !== 'function') {
    jsonSafe = false; // undefined, bigint, symbol
    return v;
  }
  const o = v as object;
  // Arrays and plain objects, most of a message, are never handles (HandleSpec.is): not asked.
  const plainContainer = t === 'object' && (Array.isArray(o) || isPlain(o));
  if (!plainContainer) {
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i]!;
      if (s.is(v)) {
        sawHandle = true;
        return { [HANDLE_KEY]: s.tag, d: encodeValue(s.encode(v, encodeTo)) };
      }
    }
    if (t === 'function') {
      jsonSafe = false;
      return o; // v8 will refuse it with a DataCloneError naming it
    }
    if (o instanceof Error) {
      sawHandle = true;
      return { [HANDLE_KEY]: ERROR_TAG, d: encodeValue(encodeError(o)) };
    }
  }
  const seen = memoGet(o);
  if (seen !== NOT_SEEN) {
    jsonSafe = false; // shared or cyclic: v8 keeps the references
    return seen;
  }
  if (plainContainer) return Array.isArray(o) ? encodeArray(o) : encodeObject(o as Record<string, unknown>);
  jsonSafe = false;
  if (o instanceof Map) return encodeMap(o);
  if (o instanceof Set) return encodeSet(o);
  return o;
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

function encodeArray(a: unknown[]): unknown[] {
  memoEnter(a);
  let out: unknown[] | null = null;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = encodeValue(x);
    if (y !== x && out === null) out = a.slice(0, i);
    if (out !== null) out.push(y);
  }
  if (out === null) return a; // the memo already has it standing for itself
  memoSet(a, out);
  return out;
}

function encodeObject(o: Record<string, unknown>): Record<string, unknown> {
  memoEnter(o);
  let out: Record<string, unknown> | null = null;
  for (const k in o) {
    const x = o[k];
    const y = encodeValue(x);
    if (y !== x) {
      if (out === null) out = { ...o };
      out[k] = y;
    }
  }
  if (out === null) return o; // the memo already has it standing for itself
  memoSet(o, out);
  return out;
}

function encodeMap(m: Map<unknown, unknown>): Map<unknown, unknown> {
  memoEnter(m);
  let changed = false;
  const entries: [unknown, unknown][] = [];
  for (const [k, x] of m) {
    const k2 = encodeValue(k);
    const y = encodeValue(x);
    if (k2 !== k || y !== x) changed = true;
    entries.push([k2, y]);
  }
  const r = changed ? new Map(entries) : m;
  memoSet(m, r);
  return r;
}

function encodeSet(s: Set<unknown>): Set<unknown> {
  memoEnter(s);
  let changed = false;
  const items: unknown[] = [];
  for (const x of s) {
    const y = encodeValue(x);
    if (y !== x) changed = true;
    items.push(y);
  }
  const r = changed ? new Set(items) : s;
  memoSet(s, r);
  return r;
}

// --- decoding -------------------------------------------------------------

/** Deserializes a frame body from process `from`; throws on malformed bytes. */
export function decodeMessage(body: Buffer, from: number): unknown {
  return decodeFrame(body, 0, body.length, from);
}

/** Deserializes the frame body that is bytes [start, end) of `buf`, from process `from`. */
export function decodeFrame(buf: Buffer, start: number, end: number, from: number): unknown {
  const flags = buf[start]!;
  let value: unknown;
  if ((flags & FLAG_JSON) !== 0) {
    value = JSON.parse(buf.toString('utf8', start + 1, end));
  } else {
    const des = new v8.DefaultDeserializer(buf.subarray(start + 1, end));
    des.readHeader();
    value = des.readValue();
  }
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
    let spec = specsByTag.get(tag);
    if (spec === undefined) {
      // The layer of that handle may not be loaded yet on this worker: its module registers the tag.
      loadDeferredLibrary();
      spec = specsByTag.get(tag);
    }
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
  stack?: string;
  hasCause?: true;
  cause?: unknown;
  props: Record<string, unknown>;
}

const knownErrorClasses = new Map<string, ErrorConstructor>();
for (const c of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError] as ErrorConstructor[]) {
  knownErrorClasses.set(c.name, c);
}
for (const c of [CompositeException, InvalidStateException, RemoteException, ProcessExitedException, InterruptException, TimeoutError]) {
  knownErrorClasses.set(c.name, c as unknown as ErrorConstructor);
}

/** The class registered for an error's constructor name, if any (the remote layer's error replies use it too). */
export function errorClassNamed(name: string): ErrorConstructor | undefined {
  return knownErrorClasses.get(name);
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
  const d: EncodedError = { name: String(e.name), ctor: e.constructor?.name ?? 'Error', message: String(e.message), props };
  try {
    if (typeof e.stack === 'string') d.stack = e.stack;
  } catch {
    // a throwing stack getter: leave it out
  }
  if (Object.prototype.hasOwnProperty.call(e, 'cause') || (e as { cause?: unknown }).cause !== undefined) {
    d.hasCause = true;
    d.cause = (e as { cause?: unknown }).cause;
  }
  return d;
}

function decodeError(d: EncodedError): Error {
  const ctor = knownErrorClasses.get(d.ctor) ?? knownErrorClasses.get(d.name) ?? Error;
  const e = Object.create(ctor.prototype) as Error;
  const define = (k: string, value: unknown) =>
    Object.defineProperty(e, k, { value, writable: true, configurable: true, enumerable: false });
  define('message', d.message);
  if (d.stack !== undefined) define('stack', d.stack);
  if (e.name !== d.name) define('name', d.name);
  if (d.hasCause === true) define('cause', d.cause);
  for (const k of Object.keys(d.props)) {
    if (k === 'name') continue;
    (e as unknown as Record<string, unknown>)[k] = d.props[k];
  }
  return e;
}

// How functions cross processes. Three forms travel:
//   - an export of a module every process can import: remoteFn(specifier, name);
//   - a self-contained function value, sent as source the first time a process
//     sends it to a given peer and by content hash after that; the receiver
//     compiles it once (with `loom` bound to the library) and caches it;
//   - a builtin of this layer (the pmap batch runner, the parallelFor chunk
//     runner), named.
// A million calls of the same function therefore send its source once per peer.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerHandle } from '../cluster/index.js';
import * as loomLibrary from '../index.js';
import { cachedFunction, cachedFunctionCount, holdFunction, markSent, peerHas } from './function-cache.js';

/** A function named by module and export, callable on every process. */
export interface RemoteFunction<A extends unknown[] = unknown[], R = unknown> {
  (...args: A): Promise<Awaited<R>>;
  /** The module, as every process imports it (relative paths made absolute file URLs). */
  readonly moduleSpecifier: string;
  readonly exportName: string;
}

/** Counters for tests and tuning: how often source actually travelled or was compiled. */
export interface ShippingStats {
  /** Sources sent by this process (once per function and peer). */
  sourceSends: number;
  /** Sends of a function by hash only (the peer had it cached). */
  hashSends: number;
  /** Sources compiled by this process. */
  compiles: number;
  /** Compiled functions this process keeps now (bounded: function-cache.ts). */
  cached: number;
}

/**
 * A function as it travels. A source function the peer already has travels as
 * its bare hash (a string): the common case, one object less to build,
 * stringify, parse and walk per call on each side.
 */
export type WireFunction =
  | string
  | { readonly k: 's'; readonly h: string; readonly s: string; readonly n?: string }
  | { readonly k: 'm'; readonly u: string; readonly n: string }
  | { readonly k: 'b'; readonly n: string };

// Functions sent as source get `loom` as a parameter. A call to this process
// runs the function itself, not a compiled copy, so the same name is also a
// global here (unless the program already has one), and `() => loom.myid()`
// means the same thing on every process.
if (!('loom' in globalThis)) {
  Object.defineProperty(globalThis, 'loom', { value: loomLibrary, writable: true, configurable: true, enumerable: false });
}

const kModuleRef = Symbol('loom.remoteFn');
const kShipped = Symbol('loom.shippedFunction');

interface ModuleRef {
  readonly specifier: string;
  readonly exportName: string;
}

const stats = { sourceSends: 0, hashSends: 0, compiles: 0 };

export function shippingStats(): ShippingStats {
  return { ...stats, cached: cachedFunctionCount() };
}

/**
 * Names an export of a module so that it can be called on any process.
 * Relative and absolute paths are resolved here (against the working directory)
 * and travel as file URLs; bare specifiers and URLs travel as they are.
 */
export function remoteFn<F extends (...args: never[]) => unknown>(
  moduleSpecifier: string,
  exportName = 'default',
): RemoteFunction<Parameters<F>, ReturnType<F>> {
  if (typeof moduleSpecifier !== 'string' || moduleSpecifier === '') {
    throw new TypeError('remoteFn: moduleSpecifier must be a non-empty string');
  }
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError('remoteFn: exportName must be a non-empty string');
  }
  const specifier = resolveSpecifier(moduleSpecifier);
  return moduleFunction(specifier, exportName) as unknown as RemoteFunction<Parameters<F>, ReturnType<F>>;
}

/** Relative or absolute paths become file URLs so every process finds the same file. */
export function resolveSpecifier(spec: string): string {
  if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') {
    return pathToFileURL(path.resolve(process.cwd(), spec)).href;
  }
  if (path.isAbsolute(spec)) return pathToFileURL(spec).href;
  return spec;
}

const moduleFunctions = new Map<string, RemoteFunction>();

function moduleFunction(specifier: string, exportName: string): RemoteFunction {
  const key = `${exportName}\0${specifier}`;
  const existing = moduleFunctions.get(key);
  if (existing) return existing;
  let loaded: ((...args: unknown[]) => unknown) | undefined;
  let loading: Promise<(...args: unknown[]) => unknown> | undefined;
  const load = (): Promise<(...args: unknown[]) => unknown> =>
    (loading ??= importExport(specifier, exportName).then((f) => (loaded = f)));
  // Synchronous once loaded, so that pmap batches do not pay a Promise per item.
  const fn = function (this: unknown, ...args: unknown[]): unknown {
    if (loaded) return loaded.apply(this, args);
    return load().then((f) => f.apply(this, args));
  } as unknown as RemoteFunction & { [kModuleRef]: ModuleRef };
  Object.defineProperty(fn, 'name', { value: exportName });
  Object.defineProperty(fn, 'moduleSpecifier', { value: specifier, enumerable: true });
  Object.defineProperty(fn, 'exportName', { value: exportName, enumerable: true });
  Object.defineProperty(fn, kModuleRef, { value: { specifier, exportName } });
  moduleFunctions.set(key, fn);
  return fn;
}

async function importExport(specifier: string, exportName: string): Promise<(...args: unknown[]) => unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    const err = new Error(`cannot import ${JSON.stringify(specifier)} on process ${process.pid}: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
    (err as Error & { code?: unknown }).code = (e as { code?: unknown })?.code;
    throw err;
  }
  const f = mod[exportName];
  if (typeof f !== 'function') {
    throw new TypeError(
      `module ${JSON.stringify(specifier)} has no function export ${JSON.stringify(exportName)}` +
        (f === undefined ? '' : ` (it is ${typeof f})`),
    );
  }
  return f as (...args: unknown[]) => unknown;
}

// ---- builtins -------------------------------------------------------------

const builtins = new Map<string, (...args: never[]) => unknown>();
const builtinNames = new WeakMap<object, string>();

/** Registers a function of this layer that every process has, sent by name. */
export function registerBuiltin<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  builtins.set(name, fn);
  builtinNames.set(fn, name);
  return fn;
}

// ---- source ---------------------------------------------------------------

interface SourceInfo {
  readonly hash: string;
  readonly source: string;
}

const sourceInfo = new WeakMap<object, SourceInfo>();

function sourceOf(fn: (...args: never[]) => unknown): SourceInfo {
  let info = sourceInfo.get(fn);
  if (info) return info;
  const source = Function.prototype.toString.call(fn);
  // An arrow written inside a loop is a new function object each time, with the
  // same source: found by its source, it costs no entry of its own (a WeakMap
  // entry per call would cost more than the lookup saves, and burden the GC).
  info = infoBySource.get(source);
  if (info) return info;
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `function ${fn.name || '(anonymous)'} cannot be sent to another process: it is native or bound; ` +
        'send a self-contained function, or name an export with remoteFn(moduleSpecifier, exportName)',
    );
  }
  info = { hash: createHash('sha1').update(source).digest('base64url'), source };
  if (infoBySource.size >= kMaxHashedSources) infoBySource.clear();
  infoBySource.set(source, info);
  sourceInfo.set(fn, info);
  return info;
}

const infoBySource = new Map<string, SourceInfo>();
/** What sourceOf's hashes look like (base64url of a SHA-1). */
const kHashForm = /^[A-Za-z0-9_-]{1,64}$/;
const kMaxHashedSources = 4096;

/** Encodes a function for process `to`: its source the first time, its hash after that. */
export function encodeFunction(fn: (...args: never[]) => unknown, to: number): WireFunction {
  const mod = (fn as { [kModuleRef]?: ModuleRef })[kModuleRef];
  if (mod) return { k: 'm', u: mod.specifier, n: mod.exportName };
  const builtin = builtinNames.get(fn);
  if (builtin !== undefined) return { k: 'b', n: builtin };
  const shipped = (fn as { [kShipped]?: SourceInfo })[kShipped];
  const { hash, source } = shipped ?? sourceOf(fn);
  if (peerHas(to, hash) || journal?.includes(hash) === true) {
    stats.hashSends++;
    return hash;
  }
  if (journal !== undefined) journal.push(hash);
  else sentSource(to, hash);
  // No undefined fields: a message of plain values can then travel as JSON.
  const name = fn.name;
  return typeof name === 'string' && name !== '' ? { k: 's', h: hash, s: source, n: name } : { k: 's', h: hash, s: source };
}

function sentSource(to: number, hash: string): void {
  markSent(to, hash);
  stats.sourceSends++;
}

// Hashes whose source the message being encoded now carries (the cluster
// serializes synchronously inside send()). They count as the peer's only once
// the send returned: a send that throws, or an interrupt that breaks it off
// (no catch or finally runs then), leaves them unsent, and at worst a source
// travels twice. A hash met again in the same message goes as the hash.
let journal: string[] | undefined;

/** Runs `send(to, msg)`; the sources it carried count as the peer's once it returned. */
export function withSentJournal<M>(to: number, send: (to: number, msg: M) => void, msg: M): void {
  const outer = journal;
  let mine = free;
  free = undefined;
  if (mine === undefined) mine = [];
  journal = mine;
  try {
    send(to, msg);
    for (let i = 0; i < mine.length; i++) sentSource(to, mine[i]!);
  } finally {
    journal = outer;
    mine.length = 0;
    free = mine;
  }
}
// One spare journal array, reused by the next send.
let free: string[] | undefined;

/** The function a WireFunction names; never throws (a failure is thrown when it is called). */
export function decodeFunction(wire: WireFunction, from: number): (...args: unknown[]) => unknown {
  if (typeof wire === 'string') {
    return (
      cachedFunction(wire) ??
      failing(new Error(`function ${wire} was sent by hash but its source never reached this process (from process ${from})`))
    );
  }
  if (wire === null || typeof wire !== 'object') return noFunction(from);
  switch (wire.k) {
    case 'm':
      return moduleFunction(wire.u, wire.n) as unknown as (...args: unknown[]) => unknown;
    case 'b': {
      const f = builtins.get(wire.n);
      if (f) return f as (...args: unknown[]) => unknown;
      return failing(new Error(`unknown builtin function ${JSON.stringify(wire.n)}`));
    }
    case 's': {
      // (A hash travels on unescaped in hand-written messages: transport.ts.)
      if (typeof wire.h !== 'string' || !kHashForm.test(wire.h) || typeof wire.s !== 'string') {
        return failing(new TypeError(`a malformed function arrived from process ${from}`));
      }
      const hit = cachedFunction(wire.h);
      if (hit) {
        // The sender counts on this process keeping it from now on, too.
        holdFunction(wire.h, hit, from);
        return hit;
      }
      let f: (...args: unknown[]) => unknown;
      try {
        f = compile(wire.s, `loom-fn:${wire.n ?? 'anonymous'}-${wire.h.slice(0, 8)}`);
      } catch (e) {
        return failing(e);
      }
      // So that sending it on to a third process reuses the same hash and source.
      Object.defineProperty(f, kShipped, { value: { hash: wire.h, source: wire.s } });
      holdFunction(wire.h, f, from);
      return f;
    }
    default:
      return noFunction(from);
  }
}

function noFunction(from: number): (...args: unknown[]) => unknown {
  return failing(new TypeError(`no function in the message from process ${from}`));
}

function failing(e: unknown): (...args: unknown[]) => unknown {
  return () => {
    throw e;
  };
}

/** Compiles a function's source in the global scope with `loom` bound to the library. */
export function compile(source: string, sourceURL = 'loom-fn'): (...args: unknown[]) => unknown {
  stats.compiles++;
  // The sourceURL names the function's frames in remote stacks.
  const tail = `\n//# sourceURL=${sourceURL}`;
  let f: unknown;
  try {
    f = new Function('loom', `return (${source}\n);${tail}`)(loomLibrary);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // A method written in shorthand (`area(r) { ... }`) is not an expression on its own.
    const obj = new Function('loom', `return ({${source}\n});${tail}`)(loomLibrary) as Record<PropertyKey, unknown>;
    f = Reflect.ownKeys(obj).map((k) => obj[k])[0];
  }
  if (typeof f !== 'function') throw new TypeError('the source sent did not evaluate to a function');
  return f as (...args: unknown[]) => unknown;
}

/**
 * A ReferenceError from a function sent as source means it used a name that
 * this process lacks: say so, and how to fix it.
 */
export function explainMissing(e: unknown, pid: number): unknown {
  if (e instanceof ReferenceError && / is not defined$/.test(e.message)) {
    const name = e.message.replace(/ is not defined$/, '');
    e.message =
      `${e.message} on process ${pid}: a function sent as source sees only its arguments, the globals of ` +
      `the process it runs on and \`loom\`; define ${name} there (everywhere(...)) or name a module export with remoteFn()`;
  }
  return e;
}

registerHandle<(...args: never[]) => unknown>({
  tag: 'fn',
  is: (v): v is (...args: never[]) => unknown => typeof v === 'function',
  encode: (fn, to) => encodeFunction(fn, to),
  decode: (data, from) => decodeFunction(data as WireFunction, from),
});

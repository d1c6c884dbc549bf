// The only file that loads the addon. Everything native goes through here, so
// the pure-TS fallback (LOOM_NATIVE=0, or a failed build) is decided once.
//
// The functions exported here validate every argument (TypeError / RangeError
// naming it) and hand plain, checked values to the C++ binding. Without the
// addon, the futex functions fall back to Atomics on SharedArrayBuffer
// (in-process only); the mapping functions throw ERR_LOOM_NO_NATIVE.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Julia's file modes: `r` read-only, `r+` existing file read-write, `w+` create or truncate, `a+` create if missing, keep, grow. */
export type FileMode = 'r' | 'r+' | 'w+' | 'a+';
export const fileModes: readonly FileMode[] = ['r', 'r+', 'w+', 'a+'];

export type FutexWaitResult = 'ok' | 'not-equal' | 'timed-out';

export interface FutexWaitOptions {
  /**
   * Microseconds to spin re-reading the word before sleeping. Worth it only
   * when the other side is running and answers within that time (two busy
   * processes); otherwise it burns a core for nothing.
   */
  spin?: number;
  /** Cancels an async wait: the Promise rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface ShmOpenOptions {
  /** Map read-only: a private copy-on-write mapping (writes stay in this process). */
  readonly?: boolean;
}

/** A mapped shm segment or file region. */
export interface Mapping {
  /** External ArrayBuffer over the mapped bytes (exactly byteLength). */
  readonly buffer: ArrayBuffer;
  readonly byteLength: number;
  readonly kind: 'shm' | 'file';
  /** Segment name (e.g. 'loom-1234-ab12cd') or absolute file path. */
  readonly name: string;
  readonly readonly: boolean;
  readonly closed: boolean;
  /** msync(MS_SYNC) for shared file mappings; nothing to do otherwise. */
  flush(): void;
  /** Detaches the buffer (views become length 0, never a crash), then unmaps. Idempotent. */
  close(): void;
}

/** The validated native surface; `native` is this object when the addon is loaded. */
export interface NativeBinding {
  shmCreate(name: string, byteLength: number): Mapping;
  shmOpen(name: string, byteLength?: number, opts?: ShmOpenOptions): Mapping;
  shmUnlink(name: string): void;
  shmName(): string;
  mapFile(path: string, mode: FileMode, offset: number, byteLength: number): Mapping;
  futexWait(view: Int32Array, index: number, expected: number, timeoutSeconds?: number, opts?: FutexWaitOptions): Promise<FutexWaitResult>;
  futexWaitSync(view: Int32Array, index: number, expected: number, timeoutSeconds?: number, opts?: { spin?: number }): FutexWaitResult;
  futexWake(view: Int32Array, index: number, count?: number): number;
}

/** What the compiled addon exports (internal: other native modules, e.g. the ring, add their own entries). */
export interface RawMapping {
  buffer: ArrayBuffer;
  handle: object;
  kind: 'shm' | 'file';
  name: string;
  readonly: boolean;
}
export interface RawAddon {
  abiVersion: number;
  shmCreate(name: string, byteLength: number): RawMapping;
  shmOpen(name: string, byteLength: number, readonly: boolean): RawMapping;
  shmUnlink(name: string): void;
  shmName(): string;
  mapFile(path: string, mode: FileMode, offset: number, byteLength: number): RawMapping;
  mappingFlush(handle: object): void;
  mappingClose(handle: object, buffer: ArrayBuffer): void;
  futexWait(view: Int32Array, index: number, expected: number, timeout: number, spin: number, token: number): Promise<number>;
  futexCancel(token: number): boolean;
  futexWaitSync(view: Int32Array, index: number, expected: number, timeout: number, spin: number): number;
  futexWake(view: Int32Array, index: number, count: number): number;
  futexStats(): { pending: number; threads: number };
  /** A connected AF_UNIX stream pair, both ends close-on-exec (absent from builds older than it). */
  socketPair?(): [number, number];
  readonly [other: string]: unknown;
}

const kAbiVersion = 2;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function load(): { addon: RawAddon | undefined; error: Error | undefined } {
  if (process.env.LOOM_NATIVE === '0') return { addon: undefined, error: undefined };
  // LOOM_ADDON_PATH points at another build of the addon (tests use it to load a broken one).
  const file = process.env.LOOM_ADDON_PATH || path.join(root, 'build', 'Release', 'loom.node');
  try {
    const require = createRequire(import.meta.url);
    const addon = require(file) as RawAddon;
    if (addon?.abiVersion !== kAbiVersion) {
      throw new Error(`${file} has ABI version ${String(addon?.abiVersion)}, lib/native.ts expects ${kAbiVersion} (rebuild with npm run build:native)`);
    }
    return { addon, error: undefined };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    process.emitWarning(`loom: the native addon could not be loaded (${error.message}); using the pure-TS fallback`, {
      code: 'LOOM_NO_NATIVE',
    });
    return { addon: undefined, error };
  }
}

const loaded = load();
/** The raw addon, for other native-backed modules of loom (not public). */
export const addon: RawAddon | undefined = loaded.addon;
/** True when the addon is loaded and in use. */
export const nativeAvailable: boolean = addon !== undefined;
/** Why the addon is not in use, when it failed to load (not set for LOOM_NATIVE=0). */
export const nativeLoadError: Error | undefined = loaded.error;

// ---- validation -------------------------------------------------------------

function checkName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string') throw new TypeError(`${what} must be a string, got ${typeof name}`);
  if (!/^[A-Za-z0-9._-]{1,250}$/.test(name)) {
    throw new TypeError(`${what} must be 1-250 characters of letters, digits, '.', '_' or '-' (no '/'), got '${name}'`);
  }
  return name;
}

function checkSize(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

function checkView(view: unknown, index: unknown): void {
  if (!(view instanceof Int32Array)) {
    throw new TypeError(`view must be an Int32Array, got ${Object.prototype.toString.call(view)}`);
  }
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`index must be an integer, got ${String(index)}`);
  if (index < 0 || index >= view.length) {
    throw new RangeError(`index ${index} is out of range of the view (length ${view.length}${view.length === 0 ? ', closed mapping?' : ''})`);
  }
}

function checkExpected(expected: unknown): number {
  if (typeof expected !== 'number' || Number.isNaN(expected)) throw new TypeError(`expected must be a number, got ${String(expected)}`);
  return expected | 0;
}

/** Seconds, or -1 for no timeout. */
function checkTimeout(timeout: unknown): number {
  if (timeout === undefined || timeout === Infinity) return -1;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`timeoutSeconds must be a non-negative number or Infinity, got ${String(timeout)}`);
  }
  return timeout;
}

function checkSpin(opts: unknown): number {
  if (opts === undefined) return 0;
  if (typeof opts !== 'object' || opts === null) throw new TypeError('options must be an object');
  const spin = (opts as { spin?: unknown }).spin;
  if (spin === undefined) return 0;
  if (typeof spin !== 'number' || !Number.isFinite(spin) || spin < 0) {
    throw new RangeError(`options.spin must be a non-negative number of microseconds, got ${String(spin)}`);
  }
  return spin;
}

/** Buffers of live native mappings: the memory a cross-process futex may sit in. */
const mappedBuffers = new WeakSet<ArrayBuffer>();

/** Whether a futex call may use this memory: a SharedArrayBuffer, or the buffer of a live loom Mapping. */
export function isFutexMemory(b: ArrayBufferLike): boolean {
  return b instanceof SharedArrayBuffer || mappedBuffers.has(b as ArrayBuffer);
}

function checkFutexMemory(view: Int32Array): void {
  if (isFutexMemory(view.buffer)) return;
  throw new TypeError('view must be an Int32Array over a SharedArrayBuffer or over the buffer of a loom Mapping');
}

function noNative(what: string): Error {
  const why = nativeLoadError
    ? `the native addon failed to load: ${nativeLoadError.message}`
    : 'the native addon is turned off (LOOM_NATIVE=0)';
  return Object.assign(new Error(`${what} needs loom's native addon, and ${why}`), { code: 'ERR_LOOM_NO_NATIVE' });
}

function requireAddon(what: string): RawAddon {
  if (!addon) throw noNative(what);
  return addon;
}

// ---- mappings ---------------------------------------------------------------

class NativeMapping implements Mapping {
  readonly buffer: ArrayBuffer;
  readonly byteLength: number;
  readonly kind: 'shm' | 'file';
  readonly name: string;
  readonly readonly: boolean;
  #handle: object;
  #closed = false;

  constructor(raw: RawMapping) {
    this.buffer = raw.buffer;
    this.byteLength = raw.buffer.byteLength;
    this.kind = raw.kind;
    this.name = raw.name;
    this.readonly = raw.readonly;
    this.#handle = raw.handle;
    mappedBuffers.add(raw.buffer);
  }

  get closed(): boolean {
    return this.#closed;
  }

  flush(): void {
    if (this.#closed) return;
    (addon as RawAddon).mappingFlush(this.#handle);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    mappedBuffers.delete(this.buffer);
    (addon as RawAddon).mappingClose(this.#handle, this.buffer);
  }
}

/** A new shm segment (O_CREAT | O_EXCL, mode 0600), fully allocated now so a full /dev/shm is ENOSPC here, not SIGBUS later. */
export function shmCreate(name: string, byteLength: number): Mapping {
  const a = requireAddon('shmCreate');
  return new NativeMapping(a.shmCreate(checkName(name), checkSize(byteLength, 'byteLength')));
}

/** Maps an existing segment; byteLength defaults to the whole segment. A shorter segment is ERR_LOOM_FILE_TOO_SHORT. */
export function shmOpen(name: string, byteLength?: number, opts?: ShmOpenOptions): Mapping {
  const a = requireAddon('shmOpen');
  const length = byteLength === undefined ? -1 : checkSize(byteLength, 'byteLength');
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new TypeError('opts must be an object');
  const ro = opts?.readonly ?? false;
  if (typeof ro !== 'boolean') throw new TypeError(`opts.readonly must be a boolean, got ${typeof ro}`);
  return new NativeMapping(a.shmOpen(checkName(name), length, ro));
}

export function shmUnlink(name: string): void {
  requireAddon('shmUnlink').shmUnlink(checkName(name));
}

/** A fresh random segment name, 'loom-<pid>-<hex>'. Works without the addon too. */
export function shmName(): string {
  if (addon) return addon.shmName();
  const hex = Array.from({ length: 12 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `loom-${process.pid}-${hex}`;
}

/**
 * Maps byteLength bytes of a file from any byte offset. Modes r+, w+, a+ grow
 * a shorter file; mode r maps it private copy-on-write (writes never reach the
 * file) and a short file is an ERR_LOOM_FILE_TOO_SHORT error.
 */
export function mapFile(file: string, mode: FileMode, offset: number, byteLength: number): Mapping {
  const a = requireAddon('mapFile');
  if (typeof file !== 'string' || file === '') throw new TypeError('path must be a non-empty string');
  if (file.includes('\0')) throw new TypeError('path must not contain NUL bytes');
  if (!fileModes.includes(mode)) throw new TypeError(`mode must be one of 'r', 'r+', 'w+', 'a+', got ${JSON.stringify(mode)}`);
  checkSize(offset, 'offset');
  checkSize(byteLength, 'byteLength');
  return new NativeMapping(a.mapFile(path.resolve(file), mode, offset, byteLength));
}

// ---- futex ------------------------------------------------------------------

const results: readonly FutexWaitResult[] = ['ok', 'not-equal', 'timed-out'];
const kCancelled = 3;
let nextToken = 1;

/** The error an aborted wait rejects with: the signal's reason when it is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: reason });
}

/**
 * Waits off the JS thread until view[index] is woken (futexWake) or no longer
 * holds `expected`, or timeoutSeconds pass. Works across processes on a
 * Mapping's buffer. Without the addon: Atomics.waitAsync on a SharedArrayBuffer.
 */
export function futexWait(
  view: Int32Array,
  index: number,
  expected: number,
  timeoutSeconds?: number,
  opts?: FutexWaitOptions,
): Promise<FutexWaitResult> {
  try {
    checkView(view, index);
    const value = checkExpected(expected);
    const timeout = checkTimeout(timeoutSeconds);
    const spin = checkSpin(opts);
    const signal = opts?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (!addon) return fallbackWaitAsync(view, index, value, timeout, signal);
    checkFutexMemory(view);
    const token = nextToken++;
    const raw = addon.futexWait(view, index, value, timeout, spin, token);
    if (!signal) return raw.then((r) => results[r] as FutexWaitResult);
    const a = addon;
    const onAbort = (): void => void a.futexCancel(token);
    signal.addEventListener('abort', onAbort, { once: true });
    return raw.then((r) => {
      signal.removeEventListener('abort', onAbort);
      if (r === kCancelled) throw abortError(signal);
      return results[r] as FutexWaitResult;
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Blocks the calling thread (use it in worker threads, or where blocking is the point). */
export function futexWaitSync(
  view: Int32Array,
  index: number,
  expected: number,
  timeoutSeconds?: number,
  opts?: { spin?: number },
): FutexWaitResult {
  checkView(view, index);
  const value = checkExpected(expected);
  const timeout = checkTimeout(timeoutSeconds);
  const spin = checkSpin(opts);
  if (!addon) {
    requireShared(view, 'futexWaitSync');
    return Atomics.wait(view, index, value, timeout < 0 ? Infinity : timeout * 1000);
  }
  checkFutexMemory(view);
  return results[addon.futexWaitSync(view, index, value, timeout, spin)] as FutexWaitResult;
}

/** Wakes up to count waiters (all by default) of view[index]; returns how many woke. */
export function futexWake(view: Int32Array, index: number, count?: number): number {
  checkView(view, index);
  const n = count === undefined || count === Infinity ? 0x7fffffff : checkSize(count, 'count');
  if (!addon) {
    requireShared(view, 'futexWake');
    return Atomics.notify(view, index, n);
  }
  checkFutexMemory(view);
  return addon.futexWake(view, index, Math.min(n, 0x7fffffff));
}

function requireShared(view: Int32Array, what: string): void {
  if (!(view.buffer instanceof SharedArrayBuffer)) {
    throw noNative(`${what} on memory other than a SharedArrayBuffer (cross-process)`);
  }
}

// Atomics.waitAsync is in Node 20 but in TypeScript's lib only from ES2024 on.
interface AtomicsWithWaitAsync {
  waitAsync(
    view: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

function fallbackWaitAsync(
  view: Int32Array,
  index: number,
  value: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<FutexWaitResult> {
  requireShared(view, 'futexWait');
  return heldWaitAsync(view, index, value, timeout < 0 ? Infinity : timeout * 1000, signal, false);
}

/**
 * Atomics.waitAsync on view[index] for `ms`. A pending Atomics.waitAsync does
 * not keep Node's event loop alive (its wake-up and timeout are V8 tasks), so
 * a timer holds it until the wait settles, as the addon's wait does. It cannot
 * be cancelled: an abort rejects at once, and with `notifyOnAbort` also
 * notifies the word so that the abandoned wait ends (other sleepers re-check).
 */
export function heldWaitAsync(
  view: Int32Array,
  index: number,
  value: number,
  ms: number,
  signal: AbortSignal | undefined,
  notifyOnAbort: boolean,
): Promise<FutexWaitResult> {
  const r = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(view, index, value, ms);
  if (!r.async) return Promise.resolve(r.value);
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const settled = r.value.finally(() => clearInterval(keepAlive));
  if (!signal) return settled;
  return new Promise<FutexWaitResult>((resolve, reject) => {
    const onAbort = (): void => {
      clearInterval(keepAlive);
      reject(abortError(signal));
      if (notifyOnAbort) Atomics.notify(view, index);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void settled.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

/** How many async waits are pending and on how many waiter threads (diagnostics, tests). */
export function futexStats(): { pending: number; threads: number } {
  return addon ? addon.futexStats() : { pending: 0, threads: 0 };
}

/** The validated surface, or undefined on the pure-TS path. */
export const native: NativeBinding | undefined = addon
  ? { shmCreate, shmOpen, shmUnlink, shmName, mapFile, futexWait, futexWaitSync, futexWake }
  : undefined;

// The cluster runtime's native half (native/runtime_binding.cc,
// build/Release/loom_runtime.node), loaded on first use: the frame writer's
// plain write(2), and a worker's SIGINT handling without Node's watchdog.
// Absent (no build, or LOOM_NATIVE=0), the runtime falls back to fs.writeSync
// and to the SIGINT helper thread (sigint-helper.ts).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeRuntime {
  readonly abiVersion: number;
  /** One write(2) of bytes[start, end): the count written, or -errno (EAGAIN when the socket is full). */
  writeSome(fd: number, bytes: Uint8Array, start: number, end: number): number;
  /**
   * Installs this process's SIGINT handling, once: a SIGINT during a
   * runInterruptible breaks it off, one between runs calls `onIdle` (on the
   * main thread). Every half second it also checks that `parentPid` is still
   * the parent, and ends this process if not. Throws an Error with `code`
   * and `syscall` if it cannot.
   */
  installInterrupts(onIdle: () => void, parentPid: number): void;
  /** fn(); an interrupt breaks it off with an Error whose code is ERR_SCRIPT_EXECUTION_INTERRUPTED. */
  runInterruptible<T>(fn: () => T): T;
}

const kAbiVersion = 1;
let loaded: NativeRuntime | null | undefined;
let loadError: Error | undefined;

/** The native runtime, or undefined when it is not built (or LOOM_NATIVE=0); loads it on first call. */
export function nativeRuntime(): NativeRuntime | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

/** Why nativeRuntime() is undefined, if it failed to load (not when it was turned off). */
export function nativeRuntimeError(): Error | undefined {
  nativeRuntime();
  return loadError;
}

function load(): NativeRuntime | null {
  if (process.env.LOOM_NATIVE === '0') return null;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const file = path.join(root, 'build', 'Release', 'loom_runtime.node');
  try {
    const runtime = createRequire(import.meta.url)(file) as NativeRuntime;
    if (runtime?.abiVersion !== kAbiVersion) {
      throw new Error(`${file} has ABI version ${String(runtime?.abiVersion)}, expected ${kAbiVersion} (rebuild with npm run build:native)`);
    }
    return runtime;
  } catch (e) {
    loadError = e instanceof Error ? e : new Error(String(e));
    return null;
  }
}

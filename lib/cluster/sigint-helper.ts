// The fallback for when the native runtime (native-runtime.ts, which handles
// SIGINT itself at a tenth of the cost) is not built.
//
// Why a thread: `vm`'s `breakOnSigint` is what lets an interrupt break a
// synchronous busy loop, but each script run with it normally starts and joins
// Node's SIGINT watchdog thread (~35 µs or more per run, a cross-core wake-up).
// Node keeps that watchdog alive while ANY breakOnSigint script is running in
// the process. So a helper worker thread parks (Atomics.wait) inside such a
// script for the worker's whole life: from then on a run on the main thread
// costs about a microsecond.
//
// Who gets a SIGINT: Node tells the most recently registered watchdog first.
// If the main thread is inside a runInterruptible run, that run is broken off.
// Otherwise the helper's own parked script is, and the helper reports it (the
// main thread then fails the async work in flight) and parks again. The
// helper nests two scripts so that the watchdog never stops in between.
//
// Consequence: no `process.on('SIGINT')` listener may exist on a worker while
// the helper runs (Node's own SIGINT listener machinery would take the signal
// from the watchdog); the cluster installs none.
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { clusterLog } from './log.js';
import { setInsideInterruptibleRun } from './run-state.js';

// cell[0]: set to stop the helper (unused: it lives as long as the process).
// cell[1]: 1 while the main thread is inside a runInterruptible run.
// A SIGINT that reaches the helper while the main thread is inside a run was
// meant for that run (the helper's watchdog can be the more recent one, e.g.
// when the run began before the helper parked): the helper raises it again
// (its own scripts are out of the way now) and waits for the run to end.
const HELPER_SOURCE = `
const vm = require('node:vm');
const { parentPort, workerData } = require('node:worker_threads');
const cell = new Int32Array(workerData);
function onSigint() {
  if (Atomics.load(cell, 1) === 1) {
    process.kill(process.pid, 'SIGINT');
    Atomics.wait(cell, 1, 1, 5000);
  } else {
    parentPort.postMessage('sigint');
  }
}
const parent = process.ppid;
globalThis.__loomPark = () => {
  parentPort.postMessage('parked');
  // Also the last line of the no-orphans rule: if the launcher is gone while the main thread is
  // stuck in a busy loop (so that it cannot see its connections close), end the process from here.
  while (Atomics.wait(cell, 0, 0, 500) === 'timed-out') {
    if (process.ppid !== parent) {
      try { require('node:fs').writeSync(2, 'loom-worker: the process that started this worker is gone; exiting\\n'); } catch {}
      process.kill(process.pid, 'SIGKILL');
    }
  }
};
globalThis.__loomInner = () => {
  const inner = new vm.Script('__loomPark()');
  for (;;) {
    try { inner.runInThisContext({ breakOnSigint: true }); return; }
    catch (e) { if (e && e.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') onSigint(); else throw e; }
  }
};
const outer = new vm.Script('__loomInner()');
for (;;) {
  try { outer.runInThisContext({ breakOnSigint: true }); break; }
  catch (e) { if (e && e.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') onSigint(); else throw e; }
}
`;

/** Shared with the helper: see the cells above. */
const cell = new Int32Array(new SharedArrayBuffer(8));

/** The main thread brackets each runInterruptible run with these (the helper's cell only while there is a helper). */
export function enterRun(): void {
  setInsideInterruptibleRun(true);
  if (started !== null) Atomics.store(cell, 1, 1);
}
export function leaveRun(): void {
  setInsideInterruptibleRun(false);
  if (started === null) return;
  Atomics.store(cell, 1, 0);
  Atomics.notify(cell, 1);
}

let started: Promise<boolean> | null = null;
let onIdleSigint: () => void = () => undefined;

/** Who hears of a SIGINT that came while the main thread was outside a run. */
export function setIdleSigintHandler(handler: () => void): void {
  onIdleSigint = handler;
}

/**
 * Starts the helper once; resolves true when it is parked (runs are cheap and
 * idle SIGINTs reach the idle handler), false if it could not start. A worker
 * starts it before it loads the layers above, so that the thread boots on
 * another core meanwhile; node:worker_threads loads only then.
 */
export function startSigintHelper(): Promise<boolean> {
  if (started !== null) return started;
  started = new Promise<boolean>((resolve) => {
    let worker: Worker;
    try {
      const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
      worker = new Worker(HELPER_SOURCE, { eval: true, workerData: cell.buffer });
    } catch {
      resolve(false);
      return;
    }
    worker.unref();
    worker.on('message', (m: unknown) => {
      if (m === 'parked') resolve(true);
      else if (m === 'sigint') onIdleSigint();
    });
    worker.on('error', (e) => {
      clusterLog(`the SIGINT helper thread failed (interrupts fall back to a slower path): ${e.message}`);
      resolve(false);
    });
    worker.on('exit', () => resolve(false));
  });
  return started;
}

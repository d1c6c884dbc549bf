// Futex ping-pong latency between two processes: loom's native futex (blocking
// sync wait, async wait, and the adaptive spin-then-wait mode) beside a plain
// C futex ping-pong built by CMake (the limit) and the pure-TS path
// (Atomics.wait between worker_threads: there is no cross-process one).
// Every row is the round trip (ping, then pong) in microseconds, p50 and p99.
//
// The same file is the other side of each ping-pong: run with `--pong ...` it
// maps the segment and answers.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { futexWait, futexWaitSync, futexWake, nativeAvailable, shmCreate, shmName, shmOpen, shmUnlink } from '../lib/native.js';
import { percentile, printTable, type ResultRow } from './harness.js';
import { hasTaskset } from './pin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const quick = process.env.LOOM_BENCH_QUICK === '1';
const BLOCKING_ROUNDS = quick ? 2_000 : 20_000;
const SPIN_ROUNDS = quick ? 20_000 : 200_000;
/** Longer than a round trip between two running processes, so a busy pair never sleeps. */
const SPIN_US = 50;
/**
 * Both sides of every ping-pong run on different cores (CPU 0 and 1, with
 * taskset / sched_setaffinity), so every row measures a wake across cores
 * and the scheduler cannot switch between rows from cross-core to same-core
 * hand-offs. LOOM_BENCH_PIN=0 turns it off.
 */
const PIN = process.env.LOOM_BENCH_PIN !== '0' && os.cpus().length >= 2 && hasTaskset();

/** Pins one thread (the main thread when tid is this process's pid) to a CPU. */
function pinThread(tid: number, cpu: number): void {
  if (PIN) execFileSync('taskset', ['-p', '-c', String(cpu), String(tid)], { stdio: 'ignore' });
}

/** argv that starts `args` pinned to a CPU (when pinning is on). */
function pinnedCommand(cpu: number, args: string[]): [string, string[]] {
  return PIN ? ['taskset', ['-c', String(cpu), ...args]] : [args[0]!, args.slice(1)];
}

type Mode = 'sync' | 'async';

// ---- the two sides -------------------------------------------------------------

function awaitValueSync(w: Int32Array, target: number, spin: number): void {
  for (;;) {
    const v = Atomics.load(w, 0);
    if (v === target) return;
    futexWaitSync(w, 0, v, undefined, spin > 0 ? { spin } : undefined);
  }
}

async function awaitValueAsync(w: Int32Array, target: number, spin: number): Promise<void> {
  for (;;) {
    const v = Atomics.load(w, 0);
    if (v === target) return;
    await futexWait(w, 0, v, undefined, spin > 0 ? { spin } : undefined);
  }
}

async function pong(name: string, mode: Mode, rounds: number, spin: number): Promise<void> {
  const m = shmOpen(name, 64);
  const w = new Int32Array(m.buffer);
  for (let i = 0; i < rounds; i++) {
    if (mode === 'sync') awaitValueSync(w, 2 * i + 1, spin);
    else await awaitValueAsync(w, 2 * i + 1, spin);
    Atomics.store(w, 0, 2 * i + 2);
    futexWake(w, 0, 1);
  }
  m.close();
}

/** Round trips in µs, measured on the pinging side (after a warm-up tenth). */
async function ping(mode: Mode, rounds: number, spin: number): Promise<number[]> {
  const name = shmName();
  const m = shmCreate(name, 64);
  const w = new Int32Array(m.buffer);
  const warmup = Math.floor(rounds / 10);
  const total = warmup + rounds;
  const [cmd, args] = pinnedCommand(1, [process.execPath, fileURLToPath(import.meta.url), '--pong', name, mode, String(total), String(spin)]);
  const child = spawn(cmd, args, { stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const samples: number[] = [];
  try {
    // the child maps the segment and answers the first ping: the name can go then
    let unlinked = false;
    for (let i = 0; i < total; i++) {
      const t0 = performance.now();
      Atomics.store(w, 0, 2 * i + 1);
      futexWake(w, 0, 1);
      if (mode === 'sync') awaitValueSync(w, 2 * i + 2, spin);
      else await awaitValueAsync(w, 2 * i + 2, spin);
      if (i >= warmup) samples.push((performance.now() - t0) * 1000);
      if (!unlinked) {
        shmUnlink(name);
        unlinked = true;
      }
    }
    if ((await exited) !== 0) throw new Error('the pong process failed');
  } finally {
    if (child.exitCode === null) child.kill();
    m.close();
  }
  return samples;
}

// ---- the peers ------------------------------------------------------------------

/** Builds the C ping-pong with CMake into build-bench/ when it is missing. */
function cPingPong(): string {
  const dir = path.join(root, 'build-bench');
  const exe = path.join(dir, 'loom_futex_pingpong');
  if (!existsSync(exe)) {
    console.log('building loom_futex_pingpong with cmake into build-bench/ ...');
    execFileSync('cmake', ['-S', root, '-B', dir, '-DLOOM_BENCH_TOOLS=ON', '-DCMAKE_BUILD_TYPE=Release'], { stdio: 'ignore' });
    execFileSync('cmake', ['--build', dir, '--target', 'loom_futex_pingpong', '-j', '2'], { stdio: 'ignore' });
  }
  return exe;
}

function runC(exe: string, rounds: number, spin: number): { p50: number; p99: number } {
  const out = JSON.parse(execFileSync(exe, [String(rounds), String(spin), PIN ? '1' : '0'], { encoding: 'utf8' })) as { p50_us: number; p99_us: number };
  return { p50: out.p50_us, p99: out.p99_us };
}

/** The pure-TS path: Atomics.wait / notify between the main thread and a worker (optionally spinning first). */
async function atomicsWorkers(rounds: number, spinUs: number): Promise<number[]> {
  const sab = new SharedArrayBuffer(64);
  const w = new Int32Array(sab);
  const warmup = Math.floor(rounds / 10);
  const total = warmup + rounds;
  const awaitValue = `(w, target, spinUs) => {
    const end = performance.now() + spinUs / 1000;
    for (let n = 0;; n++) {
      const v = Atomics.load(w, 0);
      if (v === target) return;
      if (spinUs > 0 && ((n & 63) !== 0 || performance.now() < end)) continue;
      Atomics.wait(w, 0, v);
    }
  }`;
  // A new thread inherits its creator's CPU set: create the worker on CPU 1, then return to CPU 0.
  pinThread(process.pid, 1);
  const worker = new Worker(
    `const { workerData: { sab, total, spinUs } } = require('node:worker_threads');
     const awaitValue = ${awaitValue};
     const w = new Int32Array(sab);
     for (let i = 0; i < total; i++) { awaitValue(w, 2 * i + 1, spinUs); Atomics.store(w, 0, 2 * i + 2); Atomics.notify(w, 0, 1); }`,
    { eval: true, workerData: { sab, total, spinUs } },
  );
  pinThread(process.pid, 0);
  const exited = new Promise<number>((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const wait = new Function(`return ${awaitValue}`)() as (w: Int32Array, target: number, spinUs: number) => void;
  const samples: number[] = [];
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    Atomics.store(w, 0, 2 * i + 1);
    Atomics.notify(w, 0, 1);
    wait(w, 2 * i + 2, spinUs);
    if (i >= warmup) samples.push((performance.now() - t0) * 1000);
  }
  await exited;
  return samples;
}

// ---- the suite ------------------------------------------------------------------

interface Row {
  name: string;
  baseline?: boolean;
  /** One trial: p50 and p99 round trip in µs. */
  run(rounds: number): Promise<{ p50: number; p99: number }>;
  p50s: number[];
  p99s: number[];
}

const stats = (s: number[]): { p50: number; p99: number } => ({ p50: percentile(s, 50), p99: percentile(s, 99) });
const median = (xs: number[]): number => percentile(xs, 50);

/**
 * Runs the rows' trials interleaved (row 1, row 2, ..., then again), so that
 * the load of a shared 2-core machine drifts over all rows alike; each row
 * reports the median of its trials' p50 and p99.
 */
async function measure(title: string, rowsToRun: Row[], rounds: number): Promise<Row[]> {
  const trials = quick ? 2 : 5;
  for (let t = 0; t < trials; t++) {
    for (const r of rowsToRun) {
      const { p50, p99 } = await r.run(Math.ceil(rounds / trials));
      r.p50s.push(p50);
      r.p99s.push(p99);
    }
  }
  const table = (which: 'p50' | 'p99'): ResultRow[] =>
    rowsToRun.map((r) => ({
      name: r.name,
      value: median(which === 'p50' ? r.p50s : r.p99s),
      unit: `µs ${which}`,
      baseline: r.baseline,
    }));
  printTable(`${title}: round trip p50 (median of ${trials} interleaved trials, ${rounds} rounds in all)`, table('p50'), true);
  printTable(`${title}: round trip p99`, table('p99'), true);
  return rowsToRun;
}

function row(name: string, run: Row['run'], baseline = false): Row {
  return { name, run, baseline, p50s: [], p99s: [] };
}

async function main(): Promise<void> {
  if (!nativeAvailable) {
    console.log('futex bench: the native addon is not loaded; only the pure-TS row would run, skipping');
    return;
  }
  const exe = cPingPong();
  // The pinging side is this process's main thread.
  pinThread(process.pid, 0);
  console.log(PIN ? 'pinned: ping on CPU 0, pong on CPU 1 (LOOM_BENCH_PIN=0 to let the scheduler choose)' : 'not pinned');

  const blocking = await measure(
    'futex ping-pong between two processes, blocking',
    [
      row('C futex ping-pong (plain C, 2 processes)', async (n) => runC(exe, n, 0), true),
      row('loom futexWaitSync (2 Node processes)', async (n) => stats(await ping('sync', n, 0))),
      row('loom futexWait async (2 Node processes)', async (n) => stats(await ping('async', n, 0))),
      row('pure TS: Atomics.wait (2 worker_threads)', async (n) => stats(await atomicsWorkers(n, 0))),
    ],
    BLOCKING_ROUNDS,
  );
  const spinning = await measure(
    `futex ping-pong, adaptive spin (${SPIN_US} µs) then wait, two busy processes`,
    [
      row(`C futex ping-pong, spin then wait`, async (n) => runC(exe, n, SPIN_US), true),
      row(`loom futexWaitSync { spin } (2 Node processes)`, async (n) => stats(await ping('sync', n, SPIN_US))),
      row(`loom futexWait async { spin } (2 Node processes)`, async (n) => stats(await ping('async', n, SPIN_US))),
      row(`pure TS: spin then Atomics.wait (2 worker_threads)`, async (n) => stats(await atomicsWorkers(n, SPIN_US))),
    ],
    SPIN_ROUNDS,
  );

  const c = median(blocking[0]!.p50s);
  const sync = median(blocking[1]!.p50s);
  const spin = Math.min(median(spinning[1]!.p50s), median(spinning[2]!.p50s));
  console.log(`\ntarget: blocking round trip within 1.2x of C: ${(sync / c).toFixed(2)}x ${sync / c <= 1.2 ? 'met' : 'NOT met'}`);
  console.log(`target: spin round trip under 2 µs between two busy processes: ${spin.toFixed(2)} µs ${spin < 2 ? 'met' : 'NOT met'}`);
}

if (process.argv[2] === '--pong') {
  const [name, mode, rounds, spin] = process.argv.slice(3) as [string, Mode, string, string];
  await pong(name, mode, Number(rounds), Number(spin));
} else {
  await main();
}

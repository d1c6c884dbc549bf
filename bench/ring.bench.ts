// Ring throughput, messages per second, for 8- and 64-byte messages:
//  - one process: push then pop through one ring, native (C++ through the
//    addon) against the TS twin on the same shm bytes, with single calls
//    (tryPush / tryPop), array batches (pushBatch / popBatch) and packed
//    batches (pushPacked / popPacked, no allocation per message);
//  - two processes: a child process produces as fast as it can while this one
//    consumes, each side busy-polling the try / batch calls, same impl on both
//    sides; beside it the limit: loom_ring_bench, a plain C++ producer and
//    consumer process over the same ring (built by CMake into build-bench/).
//
// The same file is the producer: run with `--producer <json>` it maps the
// segment and pushes until the ring is closed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailable, shmCreate, shmName, shmOpen, shmUnlink, type Mapping } from '../lib/native.js';
import { Ring, RingClosedError, type RingImpl } from '../lib/shared/ring.js';
import { fmt, printTable, runSuite, type BenchCase, type ResultRow } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const quick = process.env.LOOM_BENCH_QUICK === '1';
const CAPACITY = 4096;
const SIZES = [8, 64] as const;
const ARRAY_BATCH = 64;
const PACKED_BATCH = 256;
/** Seconds each two-process trial consumes for. */
const TWO_PROC_SECONDS = quick ? 0.2 : 0.5;
/**
 * Two-process rows report the best of this many trials: on a 2-core machine a
 * trial in which anything else ran measures the neighbour, not the ring.
 */
const TRIALS = quick ? 1 : 3;

async function bestOf(trial: () => number | Promise<number>): Promise<number> {
  let best = 0;
  for (let i = 0; i < TRIALS; i++) best = Math.max(best, await trial());
  return best;
}
/** Where the ring starts in the segment; the first 64 bytes are the producer's start / ready words. */
const RING_AT = 64;
/**
 * Rounds of work per measured call. benchmark.js's deferred mode resolves the
 * next cycle from inside the previous one (recursion as deep as its cycle
 * count), so a call must be long enough that the count stays small, or the
 * stack overflows and the run dies without a word.
 */
const ROUNDS = 32;

type Form = 'single' | 'batch' | 'packed';
const forms: Form[] = ['single', 'batch', 'packed'];
const formName: Record<Form, string> = {
  single: 'tryPush / tryPop',
  batch: `pushBatch / popBatch (${ARRAY_BATCH})`,
  packed: `pushPacked / popPacked (${PACKED_BATCH})`,
};

interface ProducerTask {
  segment: string;
  byteLength: number;
  impl: RingImpl;
  size: number;
  form: Form;
}

// ---- the producer process ---------------------------------------------------

function produce(task: ProducerTask): void {
  const m = shmOpen(task.segment, task.byteLength);
  const ctl = new Int32Array(m.buffer, 0, 16);
  const ring = Ring.attach(m.buffer, RING_AT, { impl: task.impl });
  const msg = new Uint8Array(task.size).fill(7);
  const msgs = Array.from({ length: ARRAY_BATCH }, () => new Uint8Array(task.size).fill(7));
  const data = new Uint8Array(PACKED_BATCH * task.size).fill(7);
  const lens = new Uint32Array(PACKED_BATCH).fill(task.size);
  Atomics.store(ctl, 1, 1); // ready
  while (Atomics.load(ctl, 0) === 0) {
    /* wait for go */
  }
  try {
    if (task.form === 'single') for (;;) ring.tryPush(msg);
    else if (task.form === 'batch') for (;;) ring.pushBatch(msgs);
    else for (;;) ring.pushPacked(data, lens);
  } catch (e) {
    if (!(e instanceof RingClosedError)) throw e;
  }
  m.close();
}

// ---- one process ------------------------------------------------------------

function oneProcessCases(mapping: Mapping, size: number): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const form of forms) {
    for (const impl of ['native', 'ts'] as RingImpl[]) {
      let ring: Ring | undefined;
      const get = (): Ring => (ring ??= Ring.create(mapping.buffer, RING_AT, CAPACITY, size, { impl }));
      const msg = new Uint8Array(size).fill(1);
      const msgs = Array.from({ length: ARRAY_BATCH }, () => new Uint8Array(size).fill(2));
      const data = new Uint8Array(PACKED_BATCH * size).fill(3);
      const lens = new Uint32Array(PACKED_BATCH).fill(size);
      const out = new Uint8Array(PACKED_BATCH * size);
      const outLens = new Uint32Array(PACKED_BATCH);
      let fn: () => void;
      let ops: number;
      if (form === 'single') {
        ops = 64 * ROUNDS;
        fn = () => {
          const r = get();
          for (let k = 0; k < ROUNDS; k++) {
            for (let i = 0; i < 64; i++) r.tryPush(msg);
            for (let i = 0; i < 64; i++) r.tryPop();
          }
        };
      } else if (form === 'batch') {
        ops = ARRAY_BATCH * ROUNDS;
        fn = () => {
          const r = get();
          for (let k = 0; k < ROUNDS; k++) {
            r.pushBatch(msgs);
            r.popBatch(ARRAY_BATCH);
          }
        };
      } else {
        ops = PACKED_BATCH * ROUNDS;
        fn = () => {
          const r = get();
          for (let k = 0; k < ROUNDS; k++) {
            r.pushPacked(data, lens);
            r.popPacked(out, outLens);
          }
        };
      }
      // `get` creates this case's ring on its first call: each case starts on a fresh ring over the same bytes
      cases.push({ name: `${impl} ${formName[form]}`, opsPerCall: ops, baseline: impl === 'ts' && form === 'single', fn });
    }
  }
  return cases;
}

// ---- two processes ----------------------------------------------------------

async function twoProcess(mapping: Mapping, segment: string, impl: RingImpl, size: number, form: Form): Promise<number> {
  const ctl = new Int32Array(mapping.buffer, 0, 16);
  Atomics.store(ctl, 0, 0);
  Atomics.store(ctl, 1, 0);
  const ring = Ring.create(mapping.buffer, RING_AT, CAPACITY, size, { impl });
  const task: ProducerTask = { segment, byteLength: mapping.byteLength, impl, size, form };
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--producer', JSON.stringify(task)], { stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    while (Atomics.load(ctl, 1) === 0) await new Promise((r) => setTimeout(r, 5));
    const out = new Uint8Array(PACKED_BATCH * size);
    const outLens = new Uint32Array(PACKED_BATCH);
    Atomics.store(ctl, 0, 1); // go
    const start = performance.now();
    const end = start + TWO_PROC_SECONDS * 1000;
    let count = 0;
    let now = start;
    while (now < end) {
      for (let k = 0; k < 256; k++) {
        if (form === 'single') {
          if (ring.tryPop()) count++;
        } else if (form === 'batch') {
          count += ring.popBatch(ARRAY_BATCH).length;
        } else {
          count += ring.popPacked(out, outLens);
        }
      }
      now = performance.now();
    }
    ring.close();
    const code = await exited;
    if (code !== 0) throw new Error(`producer exited with ${code}`);
    return count / ((now - start) / 1000);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Builds loom_ring_bench with CMake into build-bench/ when it is missing. */
function ringBenchTool(): string | undefined {
  const dir = path.join(root, 'build-bench');
  const exe = path.join(dir, 'loom_ring_bench');
  if (!existsSync(exe)) {
    try {
      console.log('building loom_ring_bench with cmake into build-bench/ ...');
      execFileSync('cmake', ['-S', root, '-B', dir, '-DLOOM_BENCH_TOOLS=ON', '-DCMAKE_BUILD_TYPE=Release'], { stdio: 'ignore' });
      execFileSync('cmake', ['--build', dir, '--target', 'loom_ring_bench', '-j', '2'], { stdio: 'ignore' });
    } catch (e) {
      console.log(`could not build loom_ring_bench: ${(e as Error).message}`);
      return undefined;
    }
  }
  return exe;
}

function cppLimit(exe: string, size: number, batch: number): number {
  const messages = String(quick ? 2_000_000 : 5_000_000);
  const out = execFileSync(exe, ['--size', String(size), '--batch', String(batch), '--messages', messages, '--capacity', String(CAPACITY)], {
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim()) as { opsPerSec: number }).opsPerSec;
}

// ---- main ---------------------------------------------------------------------

async function main(): Promise<void> {
  if (!nativeAvailable) {
    console.log('\n## ring: the native addon is not loaded; only the TS twin could run, and it needs shm for two processes. Skipped.');
    return;
  }
  const bytes = RING_AT + Ring.bytesNeeded(CAPACITY, 64);
  const name = shmName();
  const mapping = shmCreate(name, bytes);
  try {
    for (const size of SIZES) {
      await runSuite(`ring, one process, ${size}-byte messages (push then pop; ratio to the TS twin's single calls)`, oneProcessCases(mapping, size));
    }
    const exe = ringBenchTool();
    for (const size of SIZES) {
      const rows: ResultRow[] = [];
      if (exe) {
        rows.push({ name: 'C++ loom_ring_bench, single calls (the limit)', value: await bestOf(() => cppLimit(exe, size, 1)), unit: 'msgs/s', baseline: true });
        rows.push({
          name: `C++ loom_ring_bench, batches of ${PACKED_BATCH}`,
          value: await bestOf(() => cppLimit(exe, size, PACKED_BATCH)),
          unit: 'msgs/s',
        });
      }
      for (const form of forms) {
        for (const impl of ['native', 'ts'] as RingImpl[]) {
          rows.push({ name: `${impl} ${formName[form]}`, value: await bestOf(() => twoProcess(mapping, name, impl, size, form)), unit: 'msgs/s' });
        }
      }
      printTable(
        `ring, two processes (child produces, parent consumes, both busy-polling), ${size}-byte messages, best of ${TRIALS}; ratio to the C++ single-call limit`,
        rows,
      );
      const limit = rows.find((r) => r.baseline);
      const best = rows.filter((r) => r.name.startsWith('native')).reduce((a, b) => (b.value > a.value ? b : a));
      const ts = rows.find((r) => r.name === best.name.replace(/^native/, 'ts'));
      if (limit) {
        const cppBatch = rows[1] as ResultRow;
        console.log(
          `\n${size} B: best native batch form (${best.name}) ${fmt(best.value)} msgs/s = ${(best.value / limit.value).toFixed(2)}x the C++ ` +
            `single-call limit (target >= 0.25x), ${(best.value / cppBatch.value).toFixed(2)}x the C++ batch rate; ` +
            `${ts ? `${(best.value / ts.value).toFixed(2)}x the TS twin's same form` : ''}`,
        );
      }
    }
  } finally {
    mapping.close();
    shmUnlink(name);
  }
}

if (process.argv[2] === '--producer') {
  produce(JSON.parse(process.argv[3] as string) as ProducerTask);
} else {
  await main();
}

// Optional CPU pinning for the echo benchmarks (LOOM_BENCH_PIN): on these
// 2-core VMs a round trip costs ~20 µs when both processes share a core and
// ~60 µs when each wakes the other across cores, and the scheduler picks one
// or the other per process pair, so unpinned runs flip between the two.
//   same   process 1 and every peer on CPU 1: software cost, hand-offs on one core
//   cross  process 1 on CPU 0, every peer on CPU 1: every wake crosses cores
// Unset: the scheduler chooses (as before). Needs taskset (util-linux).
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export type PinMode = 'same' | 'cross' | null;

function readMode(): PinMode {
  const v = process.env.LOOM_BENCH_PIN;
  if (v === undefined || v === '' || v === '0') return null;
  if (v !== 'same' && v !== 'cross') throw new Error(`LOOM_BENCH_PIN must be 'same', 'cross' or unset, got '${v}'`);
  if (os.cpus().length < 2) throw new Error(`LOOM_BENCH_PIN=${v} needs two CPUs, this machine has ${os.cpus().length}`);
  return v;
}

export const pinMode: PinMode = readMode();

/** Every thread of this process to `cpu` (children spawned afterwards inherit it). */
function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** Before spawning the peers: they will start on CPU 1. */
export function pinBeforePeers(): void {
  if (pinMode !== null) pinSelf(1);
}

/** After spawning them: process 1 moves to CPU 0 for 'cross'. */
export function pinAfterPeers(): void {
  if (pinMode === 'cross') pinSelf(0);
}

export function pinNote(): string {
  if (pinMode === 'same') return 'pinned: process 1 and every peer on CPU 1 (LOOM_BENCH_PIN=same)';
  if (pinMode === 'cross') return 'pinned: process 1 on CPU 0, every peer on CPU 1 (LOOM_BENCH_PIN=cross)';
  return 'not pinned (LOOM_BENCH_PIN=same or cross pins)';
}

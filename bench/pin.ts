// CPU placement for the echo benchmarks. On these 2-core VMs a round trip
// costs ~20 µs when both processes share a core and ~60 µs when each wakes the
// other across cores, and the scheduler picks one or the other per process
// pair, so unpinned runs flip between the two. So, where taskset exists, the
// echo benchmarks run twice, pinned:
//   same   process 1 and every peer on CPU 1: software cost, hand-offs on one core
//   cross  process 1 on CPU 0, every peer on CPU 1: every wake crosses cores
// LOOM_BENCH_PIN=same or =cross runs one of them; =0 runs once, unpinned.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export type PinMode = 'same' | 'cross' | null;

/** Whether taskset (util-linux) is there to pin with. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function readModes(): PinMode[] {
  const v = process.env.LOOM_BENCH_PIN;
  if (v === '0') return [null];
  if (v === undefined || v === '') return os.cpus().length >= 2 && hasTaskset() ? ['same', 'cross'] : [null];
  if (v !== 'same' && v !== 'cross') throw new Error(`LOOM_BENCH_PIN must be 'same', 'cross' or '0', got '${v}'`);
  if (os.cpus().length < 2) throw new Error(`LOOM_BENCH_PIN=${v} needs two CPUs, this machine has ${os.cpus().length}`);
  return [v];
}

/** The placements to run, in order. */
export const pinModes: PinMode[] = readModes();

/** Every thread of this process to `cpu` (children spawned afterwards inherit it). */
function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** Before spawning the peers: they will start on CPU 1. */
export function pinBeforePeers(mode: PinMode): void {
  if (mode !== null) pinSelf(1);
}

/** After spawning them: process 1 moves to CPU 0 for 'cross'. */
export function pinAfterPeers(mode: PinMode): void {
  if (mode === 'cross') pinSelf(0);
}

/** For table titles. */
export function pinLabel(mode: PinMode): string {
  if (mode === 'same') return 'one core (process 1 and the peer pinned to CPU 1)';
  if (mode === 'cross') return 'across cores (process 1 on CPU 0, the peer on CPU 1)';
  return 'not pinned';
}

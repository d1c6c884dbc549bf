// Which processes share a host, and so can share memory. A process's host is
// named by its hostname and the kernel's boot id (two containers with one hostname
// on different machines differ); LOOM_HOST_ID overrides it, for setups where
// processes that look alike cannot in fact share /dev/shm (and for tests of the
// two-hosts error on one machine). Read once, when loom loads.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function computeHostIdentity(): string {
  const override = process.env.LOOM_HOST_ID;
  if (override) return override;
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: the hostname alone names the host.
  }
  return `${os.hostname()}/${boot}`;
}

const identity = computeHostIdentity();

/** This process's host identity (what SharedArray compares to decide "same host"). */
export function hostIdentity(): string {
  return identity;
}

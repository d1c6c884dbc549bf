// Segments whose creator died without unlinking them (SIGKILL, a crash in the
// middle of SharedArray.create) would stay in /dev/shm until reboot. Their names
// carry the creator's pid (`loom-<pid>-<hex>`), so any later loom process can tell
// that the creator is gone and unlink them. Runs once when the shared layer loads.
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/** Where POSIX shared memory segments live on Linux. */
export const shmDirectory = '/dev/shm';

const segmentPattern = /^loom-(\d+)-[0-9a-z]+$/i;

/** The pid in a loom segment name, or undefined for a name loom did not make. */
export function creatorPidOf(segmentName: string): number | undefined {
  const m = segmentPattern.exec(segmentName.replace(/^\//, ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * True when no process with this pid runs. A zombie (dead, not yet waited for by
 * its parent) counts as dead: it will never unlink anything again.
 */
export function isProcessDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Unlinks every `loom-<pid>-*` segment whose creator is dead; returns the names it removed. */
export function reapDeadSegments(directory = shmDirectory): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const verdict = new Map<number, boolean>();
  const reaped: string[] = [];
  for (const name of names) {
    const pid = creatorPidOf(name);
    if (pid === undefined || pid === process.pid) continue;
    let dead = verdict.get(pid);
    if (dead === undefined) verdict.set(pid, (dead = isProcessDead(pid)));
    if (!dead) continue;
    try {
      unlinkSync(path.join(directory, name));
      reaped.push(name);
    } catch {
      // Another process reaped it first, or it is not ours to remove: either way, not ours now.
    }
  }
  return reaped;
}

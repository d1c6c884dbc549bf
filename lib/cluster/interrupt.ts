// interrupt(...pids) on process 1: through each worker's manager
// (`manage(pid, config, 'interrupt')`; LocalManager sends SIGINT). What the
// signal cancels on the worker is the work started by runInterruptible
// (interruptible.ts).
import { managedWorker, whenInterruptible } from './addprocs.js';
import { isWorker, workers } from './membership.js';

/** On process 1: interrupts what the given workers (default: all) are running. */
export async function interrupt(...pids: (number | number[])[]): Promise<void> {
  if (isWorker()) throw new Error('interrupt can only be called on process 1');
  let ids = pids.flat();
  if (ids.length === 0) ids = workers().filter((p) => p !== 1);
  await Promise.all(
    ids.map(async (pid) => {
      const m = managedWorker(pid);
      if (m === undefined) throw new RangeError(`unknown process id ${pid}`);
      // A worker says when a SIGINT can no longer kill it (its handling is in place): not before
      // (but not forever either: a worker stuck before saying so is interrupted all the same).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([whenInterruptible(pid), new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      await m.manager.manage(pid, m.config, 'interrupt');
    }),
  );
}


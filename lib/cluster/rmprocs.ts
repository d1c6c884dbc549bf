// Removing workers: each is dropped from workers() at once, its manager's
// `kill` asks it to exit (and kills it after a grace period), and rmprocs
// resolves when every one is gone: 'ok', or 'timed_out' when `waitfor` seconds
// passed first (the stragglers are then SIGKILLed).
import { managedWorker } from './addprocs.js';
import { holdWhile } from './keep-alive.js';
import { processExited, whenExitedWithin } from './lifecycle.js';
import { clusterLog } from './log.js';
import { getPeer, isWorker, markExited, myid } from './membership.js';

export interface RmprocsOptions {
  /** Seconds to wait for the workers to exit (default: no limit beyond the manager's own grace period). */
  waitfor?: number;
}

export type RmprocsResult = 'ok' | 'timed_out';

export function rmprocs(...args: (number | number[] | RmprocsOptions)[]): Promise<RmprocsResult> {
  // The workers' handles do not keep this process alive (keep-alive.ts); waiting for them to go does.
  return holdWhile(removeWorkers(args));
}

async function removeWorkers(args: (number | number[] | RmprocsOptions)[]): Promise<RmprocsResult> {
  if (isWorker()) throw new Error('rmprocs can only be called on process 1');
  let options: RmprocsOptions = {};
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    options = last;
    args = args.slice(0, -1);
  }
  const waitfor = options.waitfor ?? Infinity;
  if (typeof waitfor !== 'number' || Number.isNaN(waitfor) || waitfor < 0) {
    throw new RangeError('rmprocs: waitfor must be a non-negative number of seconds');
  }
  const pids = (args as (number | number[])[]).flat();
  const targets = [];
  for (const pid of pids) {
    if (!Number.isInteger(pid)) throw new TypeError(`rmprocs: process ids must be integers, got ${pid}`);
    if (pid === 1 || pid === myid()) {
      clusterLog('rmprocs: process 1 is not removed');
      continue;
    }
    const m = managedWorker(pid);
    if (m === undefined) throw new RangeError(`unknown process id ${pid}`);
    targets.push({ pid, ...m });
  }
  const done = targets.map(async ({ pid, manager, config }) => {
    const peer = getPeer(pid);
    if (peer !== undefined) peer.ready = false; // out of workers() from now on
    try {
      await manager.kill(pid, config);
    } catch (e) {
      clusterLog(`kill(${pid}) failed: ${(e as Error).message}`);
    }
    return whenExitedWithin(pid, config, Infinity);
  });
  const all = Promise.all(done).then(() => 'ok' as const);
  if (!Number.isFinite(waitfor)) return all;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), waitfor * 1000);
  });
  const result = await Promise.race([all, timedOut]).finally(() => clearTimeout(timer));
  if (result === 'timed_out') {
    for (const { pid, config } of targets) {
      if (config.process && config.process.exitCode === null && config.process.signalCode === null) config.process.kill('SIGKILL');
      markExited(pid, 'removed by rmprocs (timed out)');
    }
    await Promise.all(targets.map(({ config }) => processExited(config.process)));
  }
  return result;
}

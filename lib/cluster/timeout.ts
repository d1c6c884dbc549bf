// LOOM_WORKER_TIMEOUT (seconds, default 60): how long a worker waits for its
// master to connect, and how long process 1 waits for a worker to start. The
// master passes its value to the workers it launches.
export const DEFAULT_WORKER_TIMEOUT = 60;

export function workerTimeoutSeconds(): number {
  const raw = process.env.LOOM_WORKER_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_WORKER_TIMEOUT;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`LOOM_WORKER_TIMEOUT must be a positive number of seconds, got '${raw}'`);
  return v;
}

// One place for the cluster layer's diagnostics: problems that are not the
// caller's error (a bad peer, a dropped connection) are logged, not thrown.

const silent = process.env.LOOM_CLUSTER_QUIET === '1';

export function clusterLog(message: string): void {
  if (silent) return;
  process.stderr.write(`loom (pid ${process.pid}): ${message}\n`);
}

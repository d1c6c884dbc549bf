// Time from addprocs(n) to every worker ready, beside spawning n bare
// `node -e` processes to their first output, in the same run, trials
// interleaved so that machine load hits both alike. Target: addprocs(2)
// within 1.3x of the bare spawns.
//
// Two rounds: first with only the cluster layer loaded on process 1 (ready =
// connected and joined), then with the whole library, as a user imports it
// (ready also waits for the upper layers' addWorkerSetup hooks, e.g. the remote
// layer answering on the new worker). A loom-worker joins and answers those
// with only the cluster runtime loaded; the layers above load when its first
// message or handle needs them, and its SIGINT helper thread starts then too.
// So the second round also times a first remote call on every new worker
// right after addprocs: that call pays for the library load (and waits for
// the helper thread).
import { spawn } from 'node:child_process';
import { addprocs, rmprocs } from '../lib/cluster/index.js';
import { percentile, printTable, type ResultRow } from './harness.js';

type FirstCall = (pids: number[]) => Promise<unknown>;

const quick = process.env.LOOM_BENCH_QUICK === '1';

function bareSpawns(n: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let pending = n;
    let done = 0;
    let elapsed = 0;
    for (let i = 0; i < n; i++) {
      const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n")'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.on('error', reject);
      child.stdout.once('data', () => {
        if (--pending === 0) elapsed = performance.now() - t0;
      });
      child.on('exit', () => {
        if (++done === n) resolve(elapsed);
      });
    }
  });
}

/** Times addprocs(n) and, given `firstCall`, a first call on every new worker after it. */
async function addprocsTrial(n: number, firstCall?: FirstCall): Promise<[number, number]> {
  const t0 = performance.now();
  const ids = await addprocs(n);
  const ready = performance.now() - t0;
  if (firstCall !== undefined) await firstCall(ids);
  const called = performance.now() - t0;
  await rmprocs(ids);
  return [ready, called];
}

async function round(label: string, firstCall?: FirstCall): Promise<void> {
  for (const n of [2, 8]) {
    const trials = quick ? 3 : n === 2 ? 12 : 5;
    const bare: number[] = [];
    const cluster: number[] = [];
    const withCall: number[] = [];
    // One untimed round of each warms the file cache.
    await bareSpawns(n);
    await addprocsTrial(n, firstCall);
    for (let i = 0; i < trials; i++) {
      bare.push(await bareSpawns(n));
      const [ready, called] = await addprocsTrial(n, firstCall);
      cluster.push(ready);
      withCall.push(called);
    }
    const b50 = percentile(bare, 50);
    const c50 = percentile(cluster, 50);
    const rows: ResultRow[] = [
      { name: `${n} bare \`node -e\` spawns to first output`, value: b50, unit: 'ms (p50)', baseline: true, note: `p90 ${percentile(bare, 90).toFixed(1)}` },
      {
        name: `addprocs(${n}) to all ready, ${label}`,
        value: c50,
        unit: 'ms (p50)',
        note: `p90 ${percentile(cluster, 90).toFixed(1)}; ${(c50 / b50).toFixed(2)}x the bare time`,
      },
    ];
    if (firstCall !== undefined) {
      const w50 = percentile(withCall, 50);
      rows.push({
        name: `addprocs(${n}) then a first remotecallFetch on each worker`,
        value: w50,
        unit: 'ms (p50)',
        note: `p90 ${percentile(withCall, 90).toFixed(1)}; ${(w50 / b50).toFixed(2)}x the bare time`,
      });
    }
    printTable(`addprocs(${n}) start-up, ${label}, ${trials} interleaved trials (ratio: bare / addprocs)`, rows, true);
  }
}

await round('cluster layer only');
// The whole library, as a user imports it: its layers' addWorkerSetup hooks now run too.
const { remotecallFetch } = await import('../lib/index.js');
await round('whole library (remote layer ready)', (pids) => Promise.all(pids.map((p) => remotecallFetch(p, () => 1))));

// Time from addprocs(n) to every worker ready, beside spawning n bare
// `node -e` processes to their first output, in the same run, trials
// interleaved so that machine load hits both alike. Target: addprocs(2)
// within 1.3x of the bare spawns.
import { spawn } from 'node:child_process';
import { addprocs, rmprocs } from '../lib/cluster/index.js';
import { percentile, printTable, type ResultRow } from './harness.js';

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

async function addprocsTrial(n: number): Promise<number> {
  const t0 = performance.now();
  const ids = await addprocs(n);
  const elapsed = performance.now() - t0;
  await rmprocs(ids);
  return elapsed;
}

async function main(): Promise<void> {
  for (const n of [2, 8]) {
    const trials = quick ? 3 : n === 2 ? 15 : 6;
    const bare: number[] = [];
    const cluster: number[] = [];
    // One untimed round of each warms the file cache.
    await bareSpawns(n);
    await addprocsTrial(n);
    for (let i = 0; i < trials; i++) {
      bare.push(await bareSpawns(n));
      cluster.push(await addprocsTrial(n));
    }
    const rows: ResultRow[] = [
      { name: `${n} bare \`node -e\` spawns to first output`, value: percentile(bare, 50), unit: 'ms (p50)', baseline: true, note: `p90 ${percentile(bare, 90).toFixed(1)}` },
      {
        name: `addprocs(${n}) to all ready`,
        value: percentile(cluster, 50),
        unit: 'ms (p50)',
        note: `p90 ${percentile(cluster, 90).toFixed(1)}; ${(percentile(cluster, 50) / percentile(bare, 50)).toFixed(2)}x the bare time`,
      },
    ];
    printTable(`addprocs(${n}) start-up, ${trials} interleaved trials (ratio: bare / addprocs, 1.00x = as fast)`, rows, true);
  }
}

await main();

// pmap over 100 000 trivial items on 2 workers, with the automatic batch size
// and with batchSize 1, beside piscina with 2 threads on the same work (its
// best over several concurrentTasksPerWorker), and a plain Array.map here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { addprocs, pmap, rmprocs } from '../lib/index.js';
import { printTable, type ResultRow } from './harness.js';

const quick = process.env.LOOM_BENCH_QUICK === '1';
const n = 100_000;
const reps = quick ? 2 : 5;
const xs = Array.from({ length: n }, (_, i) => i);
const trivial = (x: number) => x + 1;

/** Best items/s over `reps` runs of `run` (after one warm-up run). */
async function itemsPerSecond(run: () => Promise<unknown[]>): Promise<number> {
  const first = await run();
  if (first.length !== n || first[n - 1] !== n) throw new Error('wrong results');
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t = process.hrtime.bigint();
    await run();
    best = Math.max(best, n / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  return best;
}

const rows: ResultRow[] = [];
const pids = await addprocs(2);
try {
  rows.push({ name: 'loom pmap, batchSize auto, 2 workers', value: await itemsPerSecond(() => pmap(trivial, xs)), unit: 'items/s' });
  rows.push({
    name: 'loom pmap, batchSize 1, 2 workers',
    value: await itemsPerSecond(() => pmap(trivial, xs, { batchSize: 1 })),
    unit: 'items/s',
  });
} finally {
  await rmprocs(...pids);
}

let piscinaBest = { value: 0, c: 0 };
for (const c of [1, 8, 32, 128]) {
  const pool = new Piscina({
    filename: path.join(path.dirname(fileURLToPath(import.meta.url)), 'pmap-piscina-task.js'),
    minThreads: 2,
    maxThreads: 2,
    concurrentTasksPerWorker: c,
  });
  const v = await itemsPerSecond(() => Promise.all(xs.map((x) => pool.run(x) as Promise<number>)));
  await pool.destroy();
  rows.push({ name: `piscina, 2 threads, concurrentTasksPerWorker ${c}`, value: v, unit: 'items/s' });
  if (v > piscinaBest.value) piscinaBest = { value: v, c };
}
const local = await itemsPerSecond(async () => xs.map(trivial));
rows.push({ name: 'Array.map in one process (no parallelism)', value: local, unit: 'items/s' });
for (const r of rows) r.baseline = r.name.startsWith(`piscina, 2 threads, concurrentTasksPerWorker ${piscinaBest.c}`);
printTable(`pmap over ${n} trivial items (ratio to piscina's best)`, rows);

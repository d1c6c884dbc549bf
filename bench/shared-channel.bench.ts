// Cross-process channel throughput, master producing and one worker consuming:
// SharedChannel on the native ring, the same on the TS twin of the ring, a
// RemoteChannel over TCP (owned by the consumer) and plain process.send (IPC
// pipe, fire-and-forget). Messages are numbers, then 1 KiB Float64Arrays.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addprocs, remotecallFetch, RemoteChannel, rmprocs, SharedChannel } from '../lib/index.js';
import { printTable, type ResultRow } from './harness.js';

const quick = process.env.LOOM_BENCH_QUICK === '1';
const here = path.dirname(fileURLToPath(import.meta.url));

const trials = quick ? 1 : 3;

/** Best of a few trials: wake-up patterns between two processes vary from run to run. */
async function seconds(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < trials; k++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

const drainShared = async (c: SharedChannel<unknown>, n: number): Promise<number> => {
  for (let k = 0; k < n; k++) await c.take();
  return n;
};
const drainRemote = async (c: RemoteChannel<unknown>, n: number): Promise<number> => {
  for (let k = 0; k < n; k++) await c.take();
  return n;
};

async function main(): Promise<void> {
  const [w] = (await addprocs(1)) as [number];
  const child = fork(path.join(here, 'shared-channel-ipc-child.js'), { stdio: 'inherit', serialization: 'advanced' });
  const ipcCount = (): Promise<number> => new Promise((resolve) => child.once('message', (m) => resolve(m as number)));
  const payloads: [string, () => unknown, number][] = [
    ['number', () => 1.5, quick ? 20_000 : 200_000],
    ['1 KiB Float64Array', () => new Float64Array(128).fill(2), quick ? 10_000 : 50_000],
  ];
  for (const [label, make, n] of payloads) {
    const rows: ResultRow[] = [];
    const value = make();
    for (const [impl, spin] of [['native', 0], ['native', 50], ['ts', 0]] as const) {
      const ch = await SharedChannel.create<unknown>(1024, { slotSize: 1100, impl, spin });
      await remotecallFetch(w, drainShared, ch, 0); // warm up: map it, compile the consumer
      const t = await seconds(async () => {
        const consumer = remotecallFetch(w, drainShared, ch, n);
        for (let k = 0; k < n; k++) await ch.put(value);
        await consumer;
      });
      const what = impl === 'native' ? 'native ring' : 'TS twin of the ring';
      rows.push({ name: `SharedChannel, ${what}${spin ? `, spin ${spin} µs` : ''}`, value: n / t, unit: 'msgs/s', baseline: impl === 'native' && spin === 0 });
      ch.release();
    }
    const rn = Math.max(1000, Math.floor(n / 20));
    const rc = new RemoteChannel<unknown>(1024, w);
    const tr = await seconds(async () => {
      const consumer = remotecallFetch(w, drainRemote, rc, rn);
      for (let k = 0; k < rn; k++) await rc.put(value);
      await consumer;
    });
    rows.push({ name: 'RemoteChannel over TCP (each put acknowledged)', value: rn / tr, unit: 'msgs/s', note: `${rn} msgs` });
    const tp = await seconds(async () => {
      const done = ipcCount();
      for (let k = 0; k < n; k++) child.send(value as number);
      child.send('end');
      await done;
    });
    rows.push({ name: 'process.send (IPC pipe, not acknowledged)', value: n / tp, unit: 'msgs/s' });
    printTable(`Cross-process channel throughput, ${label} messages, master -> 1 worker (best of ${trials})`, rows);
  }
  child.disconnect();
  await rmprocs(w);
}

await main();

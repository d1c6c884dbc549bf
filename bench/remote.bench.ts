// remotecallFetch to one worker: round-trip latency (p50, p99) and pipelined
// calls per second, beside two peers doing the same echo in the same run:
// Node's child_process IPC (process.send) and a raw TCP socket with
// length-prefixed v8.serialize frames.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { addprocs, remotecallFetch, rmprocs } from '../lib/index.js';
import { percentile, printTable, type ResultRow } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const peerScript = path.join(here, 'remote-echo-peer.js');
const quick = process.env.LOOM_BENCH_QUICK === '1';
const latencyCalls = quick ? 2_000 : 10_000;
const pipelinedCalls = quick ? 40_000 : 200_000;
const window = 256;

type Echo = (v: unknown) => Promise<unknown>;

// The drivers take turns (rounds of each, interleaved), so that a change in the
// machine's load during the run touches them alike.
const rounds = quick ? 4 : 10;

async function latencies(drivers: [string, Echo][]): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(drivers.map(([name]) => [name, []]));
  for (const [, echo] of drivers) for (let i = 0; i < 500; i++) await echo(i); // warm up
  const perRound = Math.ceil(latencyCalls / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const [name, echo] of drivers) {
      const out = samples.get(name)!;
      for (let i = 0; i < perRound; i++) {
        const t = process.hrtime.bigint();
        await echo(i);
        out.push(Number(process.hrtime.bigint() - t) / 1000);
      }
    }
  }
  return samples;
}

async function pipelinedRound(echo: Echo, n: number): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await echo(next);
    }
  };
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: window }, lane));
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

/** Best calls/s of each driver over interleaved rounds. */
async function pipelined(drivers: [string, Echo][]): Promise<Map<string, number>> {
  const best = new Map<string, number>(drivers.map(([name]) => [name, 0]));
  for (const [, echo] of drivers) await pipelinedRound(echo, 5_000);
  const perRound = Math.ceil(pipelinedCalls / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const [name, echo] of drivers) best.set(name, Math.max(best.get(name)!, await pipelinedRound(echo, perRound)));
  }
  return best;
}

function ipcPeer(): { echo: Echo; child: ChildProcess } {
  const child = fork(peerScript, ['ipc'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  const waiting: ((v: unknown) => void)[] = [];
  child.on('message', (m) => waiting.shift()!(m));
  return {
    child,
    echo: (v) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ type: 'echo', v });
      }),
  };
}

async function tcpPeer(): Promise<{ echo: Echo; child: ChildProcess; sock: net.Socket }> {
  const child = spawn(process.execPath, [peerScript, 'tcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const waiting: ((v: unknown) => void)[] = [];
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const len = buf.readUInt32LE(0);
      if (buf.length < 4 + len) break;
      const msg = v8.deserialize(buf.subarray(4, 4 + len));
      buf = buf.subarray(4 + len);
      waiting.shift()!(msg);
    }
  });
  return {
    child,
    sock,
    echo: (v) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        const out = v8.serialize({ type: 'echo', v });
        const head = Buffer.alloc(4);
        head.writeUInt32LE(out.length, 0);
        sock.write(Buffer.concat([head, out]));
      }),
  };
}

const [pid] = await addprocs(1);
const ipc = ipcPeer();
const tcp = await tcpPeer();
try {
  const loomEcho: Echo = (v) => remotecallFetch(pid!, (x: unknown) => x, v);
  const drivers: [string, Echo][] = [
    ['raw TCP + v8.serialize', tcp.echo],
    ['child_process IPC (process.send)', ipc.echo],
    ['loom remotecallFetch', loomEcho],
  ];
  const lat: ResultRow[] = [];
  const lat99: ResultRow[] = [];
  const thr: ResultRow[] = [];
  const samples = await latencies(drivers);
  const rates = await pipelined(drivers);
  for (const [name] of drivers) {
    const s = samples.get(name)!;
    const baseline = name.startsWith('raw');
    lat.push({ name, value: percentile(s, 50), unit: 'µs p50', baseline });
    lat99.push({ name, value: percentile(s, 99), unit: 'µs p99', baseline });
    thr.push({ name, value: rates.get(name)!, unit: 'calls/s', baseline, note: `${window} in flight, best of ${rounds} rounds` });
  }
  printTable('remotecallFetch round trip, p50 (lower is better; ratio = how many times faster than raw TCP)', lat, true);
  printTable('remotecallFetch round trip, p99 (lower is better)', lat99, true);
  printTable('pipelined calls to one worker', thr);
} finally {
  tcp.sock.destroy();
  tcp.child.stdin!.end();
  tcp.child.kill();
  ipc.child.kill();
  await rmprocs(pid!);
}

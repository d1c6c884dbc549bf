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
const pipelinedCalls = quick ? 20_000 : 100_000;
const window = 256;

type Echo = (v: unknown) => Promise<unknown>;

async function latency(echo: Echo): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 500; i++) await echo(i); // warm up
  const samples: number[] = [];
  for (let i = 0; i < latencyCalls; i++) {
    const t = process.hrtime.bigint();
    await echo(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function pipelined(echo: Echo): Promise<number> {
  const run = async (n: number) => {
    let next = 0;
    const lane = async () => {
      while (next < n) {
        next++;
        await echo(next);
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
  };
  await run(5_000);
  const t = process.hrtime.bigint();
  await run(pipelinedCalls);
  return pipelinedCalls / (Number(process.hrtime.bigint() - t) / 1e9);
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
  for (const [name, echo] of drivers) {
    const l = await latency(echo);
    lat.push({ name, value: l.p50, unit: 'µs p50', baseline: name.startsWith('raw') });
    lat99.push({ name, value: l.p99, unit: 'µs p99', baseline: name.startsWith('raw') });
  }
  for (const [name, echo] of drivers) {
    thr.push({ name, value: await pipelined(echo), unit: 'calls/s', baseline: name.startsWith('raw'), note: `${window} in flight` });
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

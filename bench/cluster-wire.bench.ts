// The cluster's wire alone (send/onMessage, no remote layer): echo round-trip
// latency (p50, p99) and pipelined echoes per second to one worker, beside a
// raw TCP socket with length-prefixed v8.serialize frames doing the same echo
// in the same run (the peer of bench/remote.bench.ts), rounds interleaved.
// This is the floor under remotecallFetch's numbers.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { addprocs, onMessage, rmprocs, send } from '../lib/cluster/index.js';
import { percentile, printTable, type ResultRow } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.LOOM_BENCH_QUICK === '1';
const latencyCalls = quick ? 2_000 : 10_000;
const pipelinedCalls = quick ? 40_000 : 200_000;
const rounds = quick ? 4 : 10;
const window = 256;

type Echo = (v: unknown) => Promise<unknown>;

async function tcpPeer(): Promise<{ echo: Echo; child: ChildProcess; sock: net.Socket }> {
  const child = spawn(process.execPath, [path.join(here, 'remote-echo-peer.js'), 'tcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
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
  const echo: Echo = (v) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      const out = v8.serialize({ type: 'echo', v });
      const head = Buffer.alloc(4);
      head.writeUInt32LE(out.length, 0);
      sock.write(Buffer.concat([head, out]));
    });
  return { echo, child, sock };
}

function clusterEcho(pid: number): Echo {
  const waiting = new Map<number, (v: unknown) => void>();
  let next = 0;
  onMessage('bench.reply', (msg) => {
    const i = msg.i as number;
    waiting.get(i)!(msg.v);
    waiting.delete(i);
  });
  return (v) =>
    new Promise((resolve) => {
      const i = next++;
      waiting.set(i, resolve);
      send(pid, { type: 'bench.echo', i, v });
    });
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

const [pid] = await addprocs(1, { exeflags: ['--import', path.join(here, 'cluster-wire-echo.js')] });
const tcp = await tcpPeer();
try {
  const drivers: [string, Echo][] = [
    ['raw TCP + v8.serialize', tcp.echo],
    ['loom cluster send/onMessage', clusterEcho(pid!)],
  ];
  const samples = new Map<string, number[]>(drivers.map(([n]) => [n, []]));
  const best = new Map<string, number>(drivers.map(([n]) => [n, 0]));
  for (const [, echo] of drivers) {
    for (let i = 0; i < 500; i++) await echo(i);
    await pipelinedRound(echo, 5_000);
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, echo] of drivers) {
      const out = samples.get(name)!;
      for (let i = 0; i < latencyCalls / rounds; i++) {
        const t = process.hrtime.bigint();
        await echo(i);
        out.push(Number(process.hrtime.bigint() - t) / 1000);
      }
      best.set(name, Math.max(best.get(name)!, await pipelinedRound(echo, pipelinedCalls / rounds)));
    }
  }
  const lat: ResultRow[] = [];
  const lat99: ResultRow[] = [];
  const thr: ResultRow[] = [];
  for (const [name] of drivers) {
    const s = samples.get(name)!;
    const baseline = name.startsWith('raw');
    lat.push({ name, value: percentile(s, 50), unit: 'µs p50', baseline });
    lat99.push({ name, value: percentile(s, 99), unit: 'µs p99', baseline });
    thr.push({ name, value: best.get(name)!, unit: 'echoes/s', baseline, note: `${window} in flight, best of ${rounds} rounds` });
  }
  printTable('cluster wire echo round trip, p50 (lower is better)', lat, true);
  printTable('cluster wire echo round trip, p99 (lower is better)', lat99, true);
  printTable('cluster wire, pipelined echoes to one worker', thr);
} finally {
  tcp.sock.destroy();
  tcp.child.stdin!.end();
  await rmprocs(pid!);
}

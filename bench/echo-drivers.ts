// Echo round trips to another process, measured the same way for every driver
// (loom's wire, remotecallFetch, and the peers they are compared with):
// latency samples and pipelined rates, the drivers taking turns round by
// round so that a change in the machine's load touches them alike.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { percentile, printTable, type ResultRow } from './harness.js';

export type Echo = (v: unknown) => Promise<unknown>;
export type Driver = [name: string, echo: Echo];

const here = path.dirname(fileURLToPath(import.meta.url));
const peerScript = path.join(here, 'remote-echo-peer.js');
const quick = process.env.LOOM_BENCH_QUICK === '1';
const latencyCalls = quick ? 2_000 : 10_000;
const pipelinedCalls = quick ? 40_000 : 200_000;
const rounds = quick ? 4 : 10;
const window = 256;

/** One length-prefixed v8.serialize frame. */
export function v8Frame(msg: unknown): Buffer {
  const out = v8.serialize(msg);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(out.length, 0);
  return Buffer.concat([head, out]);
}

/** Calls `onMessage` for each whole frame arriving on `sock`. */
export function readV8Frames(sock: net.Socket, onMessage: (msg: unknown) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const len = buf.readUInt32LE(0);
      if (buf.length < 4 + len) break;
      const msg = v8.deserialize(buf.subarray(4, 4 + len)) as unknown;
      buf = buf.subarray(4 + len);
      onMessage(msg);
    }
  });
}

export interface Peer {
  echo: Echo;
  stop(): void;
}

/**
 * The echo over Node's child_process IPC (`process.send`): 'json' is Node's
 * default; 'advanced' is structured clone (node:v8), which carries what loom
 * carries (typed arrays, Map, Date, BigInt...).
 */
export function ipcPeer(serialization: 'json' | 'advanced' = 'advanced'): Peer {
  const child = fork(peerScript, ['ipc'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization });
  const waiting: ((v: unknown) => void)[] = [];
  child.on('message', (m) => waiting.shift()!(m));
  return {
    echo: (v) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ type: 'echo', v });
      }),
    stop: () => child.kill(),
  };
}

/** The echo over a raw TCP socket with length-prefixed v8.serialize frames. */
export async function tcpPeer(): Promise<Peer> {
  const child: ChildProcess = spawn(process.execPath, [peerScript, 'tcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const waiting: ((v: unknown) => void)[] = [];
  readV8Frames(sock, (msg) => waiting.shift()!(msg));
  return {
    echo: (v) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        sock.write(v8Frame({ type: 'echo', v }));
      }),
    stop: () => {
      sock.destroy();
      child.stdin!.end();
      child.kill();
    },
  };
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

/**
 * Measures every driver (the one whose name starts with `baseline` is the
 * ratios' reference) and prints p50, p99 and pipelined tables.
 */
export async function compareEchoes(title: string, unit: string, drivers: Driver[], baseline: string): Promise<void> {
  const samples = new Map<string, number[]>(drivers.map(([n]) => [n, []]));
  const best = new Map<string, number>(drivers.map(([n]) => [n, 0]));
  for (const [, echo] of drivers) {
    for (let i = 0; i < 500; i++) await echo(i); // warm up
    await pipelinedRound(echo, 5_000);
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, echo] of drivers) {
      const out = samples.get(name)!;
      for (let i = 0; i < Math.ceil(latencyCalls / rounds); i++) {
        const t = process.hrtime.bigint();
        await echo(i);
        out.push(Number(process.hrtime.bigint() - t) / 1000);
      }
      best.set(name, Math.max(best.get(name)!, await pipelinedRound(echo, Math.ceil(pipelinedCalls / rounds))));
    }
  }
  const lat: ResultRow[] = [];
  const lat99: ResultRow[] = [];
  const thr: ResultRow[] = [];
  for (const [name] of drivers) {
    const s = samples.get(name)!;
    const isBase = name.startsWith(baseline);
    lat.push({ name, value: percentile(s, 50), unit: 'µs p50', baseline: isBase });
    lat99.push({ name, value: percentile(s, 99), unit: 'µs p99', baseline: isBase });
    thr.push({ name, value: best.get(name)!, unit, baseline: isBase, note: `${window} in flight, best of ${rounds} rounds` });
  }
  printTable(`${title} round trip, p50 (lower is better; ratio = how many times faster than the baseline)`, lat, true);
  printTable(`${title} round trip, p99 (lower is better)`, lat99, true);
  printTable(`${title}, pipelined to one worker`, thr);
}

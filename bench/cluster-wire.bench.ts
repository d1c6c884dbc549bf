// The cluster's wire alone (send/onMessage, no remote layer): echo round-trip
// latency (p50, p99) and pipelined echoes per second to one worker, beside a
// raw TCP socket with length-prefixed v8.serialize frames doing the same echo
// in the same run (the peer of bench/remote.bench.ts), rounds interleaved.
// This is the floor under remotecallFetch's numbers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addprocs, onMessage, rmprocs, send } from '../lib/cluster/index.js';
import { compareEchoes, tcpPeer, type Echo } from './echo-drivers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

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

const [pid] = await addprocs(1, { exeflags: ['--import', path.join(here, 'cluster-wire-echo.js')] });
const tcp = await tcpPeer();
try {
  await compareEchoes(
    'cluster wire echo',
    'echoes/s',
    [
      ['raw TCP + v8.serialize', tcp.echo],
      ['loom cluster send/onMessage', clusterEcho(pid!)],
    ],
    'raw TCP',
  );
} finally {
  tcp.stop();
  await rmprocs(pid!);
}

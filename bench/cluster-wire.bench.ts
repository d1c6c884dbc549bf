// The cluster's wire alone (send/onMessage, no remote layer): echo round-trip
// latency (p50, p99) and pipelined echoes per second to one worker, beside a
// raw TCP socket with length-prefixed v8.serialize frames doing the same echo
// in the same run (the peer of bench/remote.bench.ts), rounds interleaved.
// This is the floor under remotecallFetch's numbers. Pinned to one core, then
// across two, as bench/remote.bench.ts (bench/pin.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addprocs, onMessage, rmprocs, send } from '../lib/cluster/index.js';
import { compareEchoes, tcpPeer, type Echo } from './echo-drivers.js';
import { pinAfterPeers, pinBeforePeers, pinLabel, pinModes } from './pin.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Replies by echo number; one handler for every worker of every round. */
const replies = new Map<number, (v: unknown) => void>();
let next = 0;
onMessage('bench.reply', (msg) => {
  const i = msg.i as number;
  replies.get(i)!(msg.v);
  replies.delete(i);
});

function clusterEcho(pid: number): Echo {
  return (v) =>
    new Promise((resolve) => {
      const i = next++;
      replies.set(i, resolve);
      send(pid, { type: 'bench.echo', i, v });
    });
}

for (const mode of pinModes) {
  pinBeforePeers(mode);
  const [pid] = await addprocs(1, { exeflags: ['--import', path.join(here, 'cluster-wire-echo.js')] });
  const tcp = await tcpPeer();
  pinAfterPeers(mode);
  try {
    await compareEchoes(
      `cluster wire echo, ${pinLabel(mode)}`,
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
}

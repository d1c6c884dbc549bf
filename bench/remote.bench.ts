// remotecallFetch to one worker: round-trip latency (p50, p99) and pipelined
// calls per second, beside two peers doing the same echo in the same run:
// Node's child_process IPC (process.send) and a raw TCP socket with
// length-prefixed v8.serialize frames. LOOM_BENCH_PIN=same|cross pins the
// processes (bench/pin.ts), so that a run does not flip between same-core and
// cross-core hand-offs.
import { addprocs, remotecallFetch, rmprocs } from '../lib/index.js';
import { compareEchoes, ipcPeer, tcpPeer } from './echo-drivers.js';
import { pinAfterPeers, pinBeforePeers, pinNote } from './pin.js';

pinBeforePeers();
const [pid] = await addprocs(1);
const ipc = ipcPeer();
const tcp = await tcpPeer();
pinAfterPeers();
console.log(pinNote());
try {
  await compareEchoes(
    'remotecallFetch',
    'calls/s',
    [
      ['raw TCP + v8.serialize', tcp.echo],
      ['child_process IPC (process.send)', ipc.echo],
      ['loom remotecallFetch', (v) => remotecallFetch(pid!, (x: unknown) => x, v)],
    ],
    'raw TCP',
  );
} finally {
  tcp.stop();
  ipc.stop();
  await rmprocs(pid!);
}

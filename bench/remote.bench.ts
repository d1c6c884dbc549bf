// remotecallFetch to one worker: round-trip latency (p50, p99) and pipelined
// calls per second, beside two peers doing the same echo in the same run:
// Node's child_process IPC (process.send, with its default JSON serialization
// and with 'advanced', node:v8, which carries the values loom carries) and a
// raw TCP socket with length-prefixed v8.serialize frames. Where taskset exists it runs twice,
// with every process pinned to one core and then across two (bench/pin.ts):
// unpinned, a run flips between the two costs as the scheduler places each pair.
import { addprocs, remotecallFetch, rmprocs } from '../lib/index.js';
import { compareEchoes, ipcPeer, tcpPeer } from './echo-drivers.js';
import { pinAfterPeers, pinBeforePeers, pinLabel, pinModes } from './pin.js';

for (const mode of pinModes) {
  pinBeforePeers(mode);
  const [pid] = await addprocs(1);
  const ipc = ipcPeer('advanced');
  const ipcJson = ipcPeer('json');
  const tcp = await tcpPeer();
  pinAfterPeers(mode);
  try {
    await compareEchoes(
      `remotecallFetch, ${pinLabel(mode)}`,
      'calls/s',
      [
        ['raw TCP + v8.serialize', tcp.echo],
        ['child_process IPC (process.send, json: the default)', ipcJson.echo],
        ['child_process IPC (process.send, advanced: node:v8)', ipc.echo],
        ['loom remotecallFetch', (v) => remotecallFetch(pid!, (x: unknown) => x, v)],
      ],
      'raw TCP',
    );
  } finally {
    tcp.stop();
    ipc.stop();
    ipcJson.stop();
    await rmprocs(pid!);
  }
}

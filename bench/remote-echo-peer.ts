// The peers of bench/echo-drivers.ts, in a child process: an echo over Node's
// child_process IPC (`process.send`), or over a raw TCP socket with
// length-prefixed v8.serialize frames (`tcp`: prints the port on stdout).
import net from 'node:net';
import { readV8Frames, v8Frame } from './echo-drivers.js';

const mode = process.argv[2];
if (mode === 'ipc') {
  process.on('message', (m) => process.send!(m));
} else if (mode === 'tcp') {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    readV8Frames(sock, (msg) => sock.write(v8Frame(msg)));
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as net.AddressInfo;
    process.stdout.write(`${addr.port}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

// The peers of bench/remote.bench.ts, in a child process: an echo over Node's
// child_process IPC (`process.send`), or over a raw TCP socket with
// length-prefixed v8.serialize frames (`tcp`: prints the port on stdout).
import net from 'node:net';
import v8 from 'node:v8';

const mode = process.argv[2];
if (mode === 'ipc') {
  process.on('message', (m) => process.send!(m));
} else if (mode === 'tcp') {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 4) {
        const len = buf.readUInt32LE(0);
        if (buf.length < 4 + len) break;
        const msg = v8.deserialize(buf.subarray(4, 4 + len)) as unknown;
        buf = buf.subarray(4 + len);
        const out = v8.serialize(msg);
        const head = Buffer.alloc(4);
        head.writeUInt32LE(out.length, 0);
        sock.write(Buffer.concat([head, out]));
      }
    });
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as net.AddressInfo;
    process.stdout.write(`${addr.port}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

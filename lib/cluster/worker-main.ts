// The worker process (bin `loom-worker`, like `julia --worker`):
//   loom-worker [--bind-to host[:port]] [--ignore-stdin-eof]
// reads the cluster cookie from its stdin (one line, 32 hex characters),
// listens on TCP, prints `loom_worker:<port>#<host>`, and serves. Its stdin
// stays open for its whole life: end of stdin means its launcher is gone, and
// the worker exits (--ignore-stdin-eof turns that off).
//
// Start-up is kept lean: the whole library (whose layers register their
// message handlers here) loads in the background while the worker announces
// itself and process 1 connects.
import net from 'node:net';
import { isValidCookie } from './cookie.js';
import { clusterLog } from './log.js';
import { installWorkerSigintHandler } from './interruptible.js';
import { initWorker, processMessages, setLibraryReady } from './worker-runtime.js';

// First: the SIGINT helper thread starts, and the whole library begins to load, while the rest of
// the start-up goes on (its file reads are asynchronous; layer messages wait for it, the join does not).
void installWorkerSigintHandler();
const library = import('../index.js');
library.catch(() => undefined); // reported through setLibraryReady

const args = process.argv.slice(2);
let bindHost = '127.0.0.1';
let bindPort = 0;
let watchStdin = true;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--bind-to') {
    const v = args[++i] ?? '';
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(v);
    if (m === null) fatal(`--bind-to expects host[:port], got '${v}'`);
    bindHost = m[1]!.replace(/^\[|\]$/g, '');
    bindPort = m[2] === undefined ? 0 : Number(m[2]);
  } else if (a === '--ignore-stdin-eof') {
    watchStdin = false;
  } else {
    fatal(`unknown argument '${a}' (usage: loom-worker [--bind-to host[:port]] [--ignore-stdin-eof])`);
  }
}

process.on('uncaughtException', (e) => clusterLog(`uncaught exception on this worker: ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => clusterLog(`unhandled rejection on this worker: ${(e as Error)?.stack ?? e}`));

readCookieLine((cookie) => {
  initWorker(cookie);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    processMessages(socket, socket, `from ${socket.remoteAddress}:${socket.remotePort}`);
  });
  server.on('error', (e) => fatal(`cannot listen on ${bindHost}:${bindPort}: ${e.message}`));
  server.listen(bindPort, bindHost, () => {
    const port = (server.address() as net.AddressInfo).port;
    process.stdout.write(`loom_worker:${port}#${bindHost}\n`);
    setLibraryReady(library);
  });
});

function readCookieLine(then: (cookie: string) => void): void {
  let text = '';
  let done = false;
  const stdin = process.stdin;
  stdin.setEncoding('latin1');
  stdin.on('data', (chunk: string) => {
    if (done) return;
    text += chunk;
    const nl = text.indexOf('\n');
    if (nl < 0) {
      if (text.length > 256) fatal('expected the cookie on stdin: one line of 32 hex characters');
      return;
    }
    done = true;
    const cookie = text.slice(0, nl).trim();
    if (!isValidCookie(cookie)) fatal('expected the cookie on stdin: one line of 32 hex characters');
    then(cookie);
  });
  stdin.on('end', () => {
    if (!done) fatal('stdin ended before the cookie line');
    if (watchStdin) {
      clusterLog('stdin closed: the launcher is gone; exiting');
      process.exit(0);
    }
  });
}

function fatal(message: string): never {
  process.stderr.write(`loom-worker: ${message}\n`);
  process.exit(1);
}

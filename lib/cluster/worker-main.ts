// The worker process (bin `loom-worker`, like `julia --worker`):
//   loom-worker [--bind-to host[:port]] [--ignore-stdin-eof]
// reads the cluster cookie from its stdin (one line, 32 hex characters),
// listens on TCP, prints `loom_worker:<port>#<host>`, and serves. Its stdin
// stays open for its whole life: end of stdin means its launcher is gone, and
// the worker exits (--ignore-stdin-eof turns that off).
//
// Start-up is kept lean: the worker announces itself first, then loads the
// whole library (whose layers register their message handlers and handles
// here) in one synchronous pass while process 1 connects and sends the join,
// which waits in the socket meanwhile. The SIGINT helper thread starts only
// after the join (worker-runtime.ts), so that its boot does not compete with
// the library load for the CPU.
import { createRequire } from 'node:module';
import net from 'node:net';
import { isValidCookie } from './cookie.js';
import { clusterLog } from './log.js';
import { initWorker, processMessages, setLibraryReady } from './worker-runtime.js';

const args = process.argv.slice(2);
let bindHost = '127.0.0.1';
let bindPort = 0;
let watchStdin = true;
/** A socket inherited from the launcher that process 1 talks on (a local worker: a socketpair, cheaper than TCP). */
let masterFd: number | null = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--bind-to') {
    const v = args[++i] ?? '';
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(v);
    if (m === null) fatal(`--bind-to expects host[:port], got '${v}'`);
    bindHost = m[1]!.replace(/^\[|\]$/g, '');
    bindPort = m[2] === undefined ? 0 : Number(m[2]);
  } else if (a === '--master-fd') {
    const v = args[++i] ?? '';
    if (!/^\d+$/.test(v) || Number(v) < 3) fatal(`--master-fd expects a descriptor number of 3 or more, got '${v}'`);
    masterFd = Number(v);
  } else if (a === '--ignore-stdin-eof') {
    watchStdin = false;
  } else {
    fatal(`unknown argument '${a}' (usage: loom-worker [--bind-to host[:port]] [--master-fd N] [--ignore-stdin-eof])`);
  }
}

process.on('uncaughtException', (e) => clusterLog(`uncaught exception on this worker: ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => clusterLog(`unhandled rejection on this worker: ${(e as Error)?.stack ?? e}`));

readCookieLine((cookie) => {
  initWorker(cookie);
  if (masterFd !== null) {
    // The cookie handshake runs on it as on any connection; other workers still come over TCP.
    const master = new net.Socket({ fd: masterFd, readable: true, writable: true });
    processMessages(master, master, `from the launcher (fd ${masterFd})`);
  }
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    processMessages(socket, socket, `from ${socket.remoteAddress}:${socket.remotePort}`);
  });
  server.on('error', (e) => fatal(`cannot listen on ${bindHost}:${bindPort}: ${e.message}`));
  server.listen(bindPort, bindHost, () => {
    const port = (server.address() as net.AddressInfo).port;
    process.stdout.write(`loom_worker:${port}#${bindHost}\n`);
    setLibraryReady(loadLibrary());
  });
});

/**
 * Loads the whole library: synchronously where Node can require an ES module
 * (one pass, no file reads bouncing through the thread pool: about a third
 * less time than import() on a busy machine), else through import(). Either
 * way it is the same module graph, so user code that imports `loom` on this
 * worker gets these very instances.
 */
function loadLibrary(): Promise<unknown> {
  if ((process.features as { require_module?: boolean }).require_module !== true) return import('../index.js');
  try {
    return Promise.resolve(createRequire(import.meta.url)('../index.js'));
  } catch (e) {
    // No import() retry: after a failed require Node 20 trips an internal assertion on the
    // same graph instead of reporting why. setLibraryReady logs this error.
    return Promise.reject(e);
  }
}

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

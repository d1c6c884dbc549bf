// The worker process (bin `loom-worker`, like `julia --worker`):
//   loom-worker [--bind-to host[:port]] [--ignore-stdin-eof]
// reads the cluster cookie from its stdin (one line, 32 hex characters),
// listens on TCP, prints `loom_worker:<port>#<host>`, and serves. Its stdin
// stays open for its whole life: end of stdin means its launcher is gone, and
// the worker exits (--ignore-stdin-eof turns that off).
//
// Start-up is kept lean: the worker loads only the cluster runtime and the
// answers to process 1's set-up questions, announces itself, and joins. The
// layers above (about seventy modules, most of a worker's start-up time) load
// in one synchronous pass when something first needs them: a message of theirs
// or a handle of theirs arriving (deferred-library.ts). Where Node cannot
// require an ES module, the worker loads them through import() right after
// announcing, and its join acknowledgement waits for them. The SIGINT helper
// thread starts only after the join (worker-runtime.ts), so that its boot does
// not compete with the start-up for the CPU.
import { createRequire } from 'node:module';
import net from 'node:net';
import '../remote/ready-answer.js';
import '../shared/host-answer.js';
import { isValidCookie } from './cookie.js';
import { deferLibraryLoad } from './deferred-library.js';
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
    if ((process.features as { require_module?: boolean }).require_module === true) deferLibraryLoad(requireLibrary);
    else setLibraryReady(import('../index.js'));
  });
});

/**
 * Loads the whole library synchronously (one pass, no file reads bouncing
 * through the thread pool: about a third less time than import() on a busy
 * machine). It is the same module graph as `import 'loom'`, so user code on
 * this worker gets these very instances.
 */
function requireLibrary(): void {
  try {
    createRequire(import.meta.url)('../index.js');
  } catch (e) {
    // Serve anyway: the cluster's own messages work, and the log says what is missing. No
    // import() retry: after a failed require Node 20 trips an internal assertion on the same
    // graph instead of reporting why.
    clusterLog(`loading the loom library on this worker failed: ${(e as Error)?.stack ?? e}`);
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

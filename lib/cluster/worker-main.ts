// The worker process (bin `loom-worker`, like `julia --worker`):
//   loom-worker [--bind-to host[:port]] [--ignore-stdin-eof]
// reads the cluster cookie from its stdin (one line, 32 hex characters),
// listens on TCP, prints `loom_worker:<port>#<host>`, and serves. Its stdin
// stays open for its whole life: end of stdin means its launcher is gone, and
// the worker exits (--ignore-stdin-eof turns that off).
//
// Start-up is kept lean: the worker reads its cookie and listens at once,
// announces itself, and only then loads the cluster runtime and the answers to
// process 1's set-up questions (synchronously where Node can require an ES
// module), while process 1 connects and sends the join, which waits in the
// socket meanwhile. The layers above (about seventy modules, most of a
// worker's start-up time) load in one synchronous pass when something first
// needs them: a message of theirs or a handle of theirs arriving
// (deferred-library.ts). Where Node cannot require an ES module, the worker
// loads them through import() right after announcing, and its join
// acknowledgement waits for them. The SIGINT helper thread starts only after
// the join (worker-runtime.ts), so that its boot does not compete with the
// start-up for the CPU.
import { createRequire } from 'node:module';
import net from 'node:net';
import { isValidCookie } from './cookie.js';
import { clusterLog } from './log.js';
import { openLinkSocket } from './link-socket.js';

type Runtime = typeof import('./worker-runtime.js');
type DeferredLibrary = typeof import('./deferred-library.js');

const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
const requireHere = createRequire(import.meta.url);

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

let cookie: string | null = null;
let port: number | null = null;
let runtime: Runtime | null = null;
/** Connections from other workers that came before the runtime was loaded (only with import()). */
const early: net.Socket[] = [];

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  if (runtime === null) early.push(socket);
  else serve(runtime, socket);
});
server.on('error', (e) => fatal(`cannot listen on ${bindHost}:${bindPort}: ${e.message}`));
server.listen(bindPort, bindHost, () => {
  port = (server.address() as net.AddressInfo).port;
  announce();
});
readCookieLine((c) => {
  cookie = c;
  announce();
});

/** Once both the cookie and the port are there: tells the launcher where to connect, then loads what serving needs. */
function announce(): void {
  if (cookie === null || port === null) return;
  process.stdout.write(`loom_worker:${port}#${bindHost}\n`);
  if (canRequireEsm) {
    const rt = requireHere('./worker-runtime.js') as Runtime;
    requireHere('../remote/ready-answer.js');
    requireHere('../shared/host-answer.js');
    (requireHere('./deferred-library.js') as DeferredLibrary).deferLibraryLoad(requireLibrary);
    startServing(rt, cookie);
  } else {
    const c = cookie;
    Promise.all([import('./worker-runtime.js'), import('../remote/ready-answer.js'), import('../shared/host-answer.js')]).then(
      ([rt]) => {
        rt.setLibraryReady(import('../index.js'));
        startServing(rt, c);
      },
      (e: unknown) => fatal(`cannot load the cluster runtime: ${(e as Error)?.stack ?? e}`),
    );
  }
}

function startServing(rt: Runtime, c: string): void {
  rt.initWorker(c);
  runtime = rt;
  if (masterFd !== null) {
    // The cookie handshake runs on it as on any connection; other workers still come over TCP.
    const master = openLinkSocket(masterFd);
    rt.processMessages(master, master, `from the launcher (fd ${masterFd})`);
  }
  for (const socket of early.splice(0)) serve(rt, socket);
}

function serve(rt: Runtime, socket: net.Socket): void {
  rt.processMessages(socket, socket, `from ${socket.remoteAddress}:${socket.remotePort}`);
}

/**
 * Loads the whole library synchronously (one pass, no file reads bouncing
 * through the thread pool: about a third less time than import() on a busy
 * machine). It is the same module graph as `import 'loom'`, so user code on
 * this worker gets these very instances.
 */
function requireLibrary(): void {
  // The worker has work now: its SIGINT helper thread boots on another core meanwhile.
  runtime?.startInterruptHandling();
  try {
    requireHere('../index.js');
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

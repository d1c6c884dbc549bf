// The worker process (bin `loom-worker`, like `julia --worker`):
//   loom-worker [--bind-to host[:port]] [--master-fd N] [--ignore-stdin-eof]
// reads the cluster cookie from its stdin (one line, 32 hex characters),
// listens on TCP, prints `loom_worker:<port>#<host>`, and serves. Its stdin
// stays open for its whole life: end of stdin means its launcher is gone, and
// the worker exits (--ignore-stdin-eof turns that off).
//
// Start-up is kept lean. A worker runs `boot.cjs`, one CommonJS file that
// holds this module and everything it imports (the cluster runtime and the
// answers to process 1's set-up questions; scripts/bundle-dist.mjs builds it,
// and the ES module files of those modules re-export from it, so there is one
// instance of each). One CommonJS file loads in a third of the time of the
// same twenty ES modules, and Node does not start its ES module loader for
// it. The layers above (library.cjs, most of a worker's start-up time) load
// in one synchronous require when something first needs them: a message of
// theirs or a handle of theirs arriving (deferred-library.ts). SIGINT
// handling starts only when the worker gets work (worker-runtime.ts): the
// native runtime's watch, or without it the helper thread, whose boot would
// otherwise compete with the start-up for the CPU.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import '../remote/ready-answer.js';
import '../shared/host-answer.js';
import { isValidCookie } from './cookie.js';
import { deferLibraryLoad } from './deferred-library.js';
import { clusterLog } from './log.js';
import { openLinkSocket } from './link-socket.js';
import { nativeRuntime } from './native-runtime.js';
import { startSigintHelper } from './sigint-helper.js';
import { initWorker, processMessages, startInterruptHandling } from './worker-runtime.js';

interface WorkerArgs {
  bindHost: string;
  bindPort: number;
  watchStdin: boolean;
  /** A socket inherited from the launcher that process 1 talks on (a local worker: a socketpair, cheaper than TCP). */
  masterFd: number | null;
}

/** Runs this process as a worker (what dist/lib/cluster/worker.cjs and bin/loom-worker.js do). */
export function runWorkerMain(argv: readonly string[] = process.argv.slice(2)): void {
  const args = parseArgs(argv);
  process.on('uncaughtException', (e) => clusterLog(`uncaught exception on this worker: ${e?.stack ?? e}`));
  process.on('unhandledRejection', (e) => clusterLog(`unhandled rejection on this worker: ${(e as Error)?.stack ?? e}`));

  let cookie: string | null = null;
  let port: number | null = null;
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    processMessages(socket, socket, `from ${socket.remoteAddress}:${socket.remotePort}`);
  });
  server.on('error', (e) => fatal(`cannot listen on ${args.bindHost}:${args.bindPort}: ${e.message}`));
  server.listen(args.bindPort, args.bindHost, () => {
    port = (server.address() as net.AddressInfo).port;
    announce();
  });
  readCookieLine(args.watchStdin, (c) => {
    cookie = c;
    announce();
  });

  /** Once both the cookie and the port are there: serves, then tells the launcher where to connect. */
  function announce(): void {
    if (cookie === null || port === null) return;
    initWorker(cookie);
    deferLibraryLoad(requireLibrary);
    if (args.masterFd !== null) {
      // The cookie handshake runs on it as on any connection; other workers still come over TCP.
      const master = openLinkSocket(args.masterFd);
      processMessages(master, master, `from the launcher (fd ${args.masterFd})`);
    }
    process.stdout.write(`loom_worker:${port}#${args.bindHost}\n`);
  }
}

function parseArgs(argv: readonly string[]): WorkerArgs {
  const out: WorkerArgs = { bindHost: '127.0.0.1', bindPort: 0, watchStdin: true, masterFd: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--bind-to') {
      const v = argv[++i] ?? '';
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(v);
      if (m === null) fatal(`--bind-to expects host[:port], got '${v}'`);
      out.bindHost = m[1]!.replace(/^\[|\]$/g, '');
      out.bindPort = m[2] === undefined ? 0 : Number(m[2]);
    } else if (a === '--master-fd') {
      const v = argv[++i] ?? '';
      if (!/^\d+$/.test(v) || Number(v) < 3) fatal(`--master-fd expects a descriptor number of 3 or more, got '${v}'`);
      out.masterFd = Number(v);
    } else if (a === '--ignore-stdin-eof') {
      out.watchStdin = false;
    } else {
      fatal(`unknown argument '${a}' (usage: loom-worker [--bind-to host[:port]] [--master-fd N] [--ignore-stdin-eof])`);
    }
  }
  return out;
}

/**
 * Loads the whole library synchronously: dist/lib/library.cjs, the same
 * instances that `import 'loom'` re-exports, so user code on this worker
 * shares them. One CommonJS file: no ES module loader, no file reads bouncing
 * through the thread pool.
 */
function requireLibrary(): void {
  // The worker has work now: without the native runtime, its SIGINT helper thread boots on
  // another core meanwhile.
  if (nativeRuntime() === undefined) void startSigintHelper();
  const requireHere = createRequire(import.meta.url);
  try {
    requireHere('../library.cjs');
  } catch (e) {
    // Serve anyway: the cluster's own messages work, and the log says what is missing.
    clusterLog(`loading the loom library on this worker failed: ${(e as Error)?.stack ?? e}`);
    return;
  }
  startInterruptHandling();
  // tsc alone puts ES modules back where the bundles' re-exports belong: user code importing
  // `loom` would then get a second, silent copy of the library.
  if (!readFileSync(requireHere.resolve('../index.js'), 'latin1').startsWith('// Re-exported from a bundle')) {
    clusterLog('dist/ is half built: its ES modules are not the bundles\' re-exports (run `npm run build`)');
  }
}

function readCookieLine(watchStdin: boolean, then: (cookie: string) => void): void {
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

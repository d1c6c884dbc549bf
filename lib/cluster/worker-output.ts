// The first line a worker prints, `loom_worker:<port>#<host>`, tells its
// manager where to connect; every later line of its stdout and stderr goes to
// this process's stderr as `From worker N: ...`, as in Julia.
import type { Readable } from 'node:stream';

export interface Announcement {
  host: string;
  port: number;
}

/** Whether a worker announced a wildcard address (it listens on every interface): others must pick a host name. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

export function parseAnnouncement(line: string): Announcement | undefined {
  const m = /^loom_worker:(\d+)#(.+)$/.exec(line.trim());
  if (m === null) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[2]!, port };
}

/** Calls `onLine` for each complete line of `stream` (the last partial one at its end). */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
    rest = '';
  });
}

/**
 * Resolves with the worker's announcement on `stdout`; forwards every other
 * line of `stdout` and `stderr` with the label `label()` gives at that moment
 * (the worker's id once it has one). Rejects if `stdout` ends first, with the
 * stderr text seen so far, or after `timeoutSeconds`.
 */
export function readAnnouncement(
  stdout: Readable,
  stderr: Readable | null,
  label: () => string,
  timeoutSeconds: number,
): Promise<Announcement> {
  return new Promise((resolve, reject) => {
    let announced = false;
    const early: string[] = [];
    const forward = (line: string) => process.stderr.write(`From ${label()}: ${line}\n`);
    const timer = setTimeout(() => {
      if (announced) return;
      announced = true;
      reject(new Error(`worker did not announce itself within ${timeoutSeconds} s${tail(early)}`));
    }, timeoutSeconds * 1000);
    timer.unref();
    eachLine(stdout, (line) => {
      if (!announced) {
        const a = parseAnnouncement(line);
        if (a !== undefined) {
          announced = true;
          clearTimeout(timer);
          resolve(a);
          return;
        }
      }
      forward(line);
    });
    if (stderr !== null) {
      eachLine(stderr, (line) => {
        if (!announced) early.push(line);
        forward(line);
      });
    }
    stdout.on('end', () => {
      if (announced) return;
      announced = true;
      clearTimeout(timer);
      reject(new Error(`worker exited before announcing its address${tail(early)}`));
    });
  });
}

function tail(lines: string[]): string {
  return lines.length === 0 ? '' : `; its stderr said:\n${lines.slice(-20).join('\n')}`;
}

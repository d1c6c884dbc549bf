// The per-cluster cookie: 32 hex characters, made by process 1, handed to each
// worker on its stdin (never argv, never the environment), and sent first on
// every connection. A connection whose first 32 bytes are not the cookie is
// closed before anything else is read from it.
//
// No `node:crypto` here at module load: a worker only compares cookies (a
// constant-time loop below does that), and loading the module would add to
// every worker's start-up; process 1 requires it when it makes its cookie.
import { createRequire } from 'node:module';

export const COOKIE_LENGTH = 32;
const COOKIE_RE = /^[0-9a-f]{32}$/;

let clusterCookie: string | undefined;

export function makeCookie(): string {
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return randomBytes(COOKIE_LENGTH / 2).toString('hex');
}

export function isValidCookie(s: string): boolean {
  return COOKIE_RE.test(s);
}

/** This process's cluster cookie (process 1 makes one on first use). */
export function getCookie(): string {
  clusterCookie ??= makeCookie();
  return clusterCookie;
}

/** Sets the cookie on a worker (from stdin, or initWorker). */
export function setCookie(cookie: string): void {
  if (!isValidCookie(cookie)) throw new TypeError('cookie must be 32 lowercase hex characters');
  clusterCookie = cookie;
}

export function cookieMatches(received: Buffer): boolean {
  const mine = Buffer.from(getCookie(), 'latin1');
  if (received.length !== mine.length) return false;
  // Constant time: every byte is looked at, whatever the first difference.
  let diff = 0;
  for (let i = 0; i < mine.length; i++) diff |= received[i]! ^ mine[i]!;
  return diff === 0;
}

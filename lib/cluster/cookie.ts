// The per-cluster cookie: 32 hex characters, made by process 1, handed to each
// worker on its stdin (never argv, never the environment), and sent first on
// every connection. A connection whose first 32 bytes are not the cookie is
// closed before anything else is read from it.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const COOKIE_LENGTH = 32;
const COOKIE_RE = /^[0-9a-f]{32}$/;

let clusterCookie: string | undefined;

export function makeCookie(): string {
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
  return received.length === mine.length && timingSafeEqual(received, mine);
}

// Process 1's end of the link to a local worker: a socketpair from the addon
// (both ends close-on-exec), the worker's end handed to spawn for its fd 3 and
// process 1's opened as a link socket (link-socket.ts). Process 1 only: a
// worker opens the end it inherited with openLinkSocket directly.
import { closeSync } from 'node:fs';
import type net from 'node:net';
import { addon } from '../native.js';
import { openLinkSocket } from './link-socket.js';

/** Process 1's end of a new link, and the worker's end to hand to spawn. */
export interface MasterLink {
  /** The descriptor to put in spawn's stdio array; closeChildEnd() once spawn returned. */
  readonly childFd: number;
  /** Process 1's end, already open (reading starts at once; early bytes wait for the connection). */
  readonly socket: net.Socket;
  closeChildEnd(): void;
}

/**
 * A new socketpair from the native addon, or null when the addon is off
 * (LOOM_NATIVE=0), failed to load, or predates `socketPair`: the caller then
 * uses spawn's own 'pipe' as before. (Process 1's side of LocalManager: a
 * worker's start-up never loads this module or the addon.)
 */
export function newMasterLink(): MasterLink | null {
  if (typeof addon?.socketPair !== 'function') return null;
  const [mine, theirs] = addon.socketPair();
  let socket: net.Socket;
  try {
    socket = openLinkSocket(mine);
  } catch (e) {
    closeSync(mine);
    closeSync(theirs);
    throw e;
  }
  let open = true;
  return {
    childFd: theirs,
    socket,
    closeChildEnd: () => {
      if (open) closeSync(theirs);
      open = false;
    },
  };
}

// A new worker's answer to process 1's readiness request (the remote layer's
// addWorkerSetup hook, transport.ts). A tiny module of its own: `loom-worker`
// loads it before joining, so the answer needs none of the layers above, which
// load on first need (cluster/deferred-library.ts). The reply has the shape of
// any request's reply (transport.ts `reply`).
import { onMessage, send } from '../cluster/membership.js';

export const READY_REQUEST = 'remote.ready';

onMessage(READY_REQUEST, (msg, from) => {
  try {
    send(from, { type: 'remote.reply', i: msg.i, v: true });
  } catch {
    // Process 1 is gone: nobody is waiting.
  }
});

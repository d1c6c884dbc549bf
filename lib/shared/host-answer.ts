// A new worker tells process 1 its host identity while addprocs sets it up
// (participants.ts), so that default pids need no round trip later. A tiny
// module of its own: `loom-worker` loads it before joining, so the answer
// needs none of the layers above, which load on first need
// (cluster/deferred-library.ts).
import { onMessage, send } from '../cluster/membership.js';
import { hostIdentity } from './host-identity.js';

export const HOST_QUESTION = 'shared.host?';
export const HOST_ANSWER = 'shared.host';

onMessage(HOST_QUESTION, (_msg, from) => {
  try {
    send(from, { type: HOST_ANSWER, identity: hostIdentity() });
  } catch {
    // Process 1 is gone: nobody is waiting.
  }
});

// Loaded on the workers of bench/cluster-wire.bench.ts (`--import`): answers
// 'bench.echo' with the same value, straight on the cluster's message bus.
import { onMessage, send } from '../lib/cluster/index.js';

onMessage('bench.echo', (msg, from) => send(from, { type: 'bench.reply', i: msg.i, v: msg.v }));

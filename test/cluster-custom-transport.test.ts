// A ClusterManager of the user's own, with a transport that is not TCP (a
// socketpair on the worker's fd 3): messages, remote evaluation, interrupt,
// manage's life-cycle operations and rmprocs all run over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, interrupt, InterruptException, remotecallFetch, rmprocs, workers } from 'loom';
import { alive, echo, evalOn, info, spin } from './fixtures/cluster-client.js';
import { PipeManager } from './fixtures/cluster-pipe-manager.js';

/** Bound to the library where a function that travels as source is compiled. */
declare const loom: { myid(): number };

test('workers launched by a custom manager over a socketpair do remote work', async (t) => {
  const manager = new PipeManager(2);
  const ids = await addprocs(manager, { topology: 'master_slave' });
  t.after(() => rmprocs(...workers().filter((p) => p !== 1)));
  assert.equal(ids.length, 2);
  assert.deepEqual(workers(), ids);
  const [a, b] = ids as [number, number];
  const { ospid, myid } = await info(a);
  assert.equal(myid, a);
  assert.equal(await echo(b, new Map([[1, new Float64Array([1.5])]])).then((m) => m.get(1)![0]), 1.5);
  assert.equal(await evalOn(a, (n: number) => Array.from({ length: n }, (_, i) => i * i).reduce((x, y) => x + y, 0), 10), 285);
  const e = await evalOn(b, () => {
    throw new RangeError('from the pipe worker');
  }).catch((err: unknown) => err);
  assert.ok(e instanceof RangeError && e.message === 'from the pipe worker');
  // The remote layer runs over the same transport.
  assert.equal(await remotecallFetch(b, (x: number) => x * 2, 21), 42);
  assert.equal(await remotecallFetch(a, () => loom.myid()), a);

  const busy = spin(a);
  await busy.started;
  await new Promise((r) => setTimeout(r, 50));
  await interrupt(a);
  assert.ok((await busy.done) instanceof InterruptException);

  assert.equal(await rmprocs(a), 'ok');
  assert.equal(alive(ospid), false);
  assert.deepEqual(manager.ops.filter(([p]) => p === a).map(([, op]) => op), ['register', 'interrupt', 'deregister', 'finalize']);
});

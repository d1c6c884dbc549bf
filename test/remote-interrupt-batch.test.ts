// Calls that arrive in one turn run as one batch on the worker (one vm run, no
// per-call Promise). An interrupt still fails only the call it broke off: the
// calls before it keep their outcomes (values and throws), the calls after it
// run, and the worker goes on serving batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, interrupt, InterruptException, remotecallFetch, RemoteException, rmprocs } from 'loom';

test('an interrupt in the middle of a batch: earlier outcomes kept, the broken call fails, later calls run', async (t) => {
  const [a] = await addprocs(1);
  t.after(() => rmprocs(a!));
  // Warm: the worker's SIGINT machinery is up and the functions are cached.
  assert.equal(await remotecallFetch(a!, () => 'warm'), 'warm');
  const before = remotecallFetch(a!, (x: number) => x + 1, 41);
  const throws = remotecallFetch(a!, () => {
    throw new RangeError('thrown before the busy call');
  });
  const busy = remotecallFetch(a!, () => {
    for (;;);
  });
  const after = Array.from({ length: 5 }, (_, i) => remotecallFetch(a!, (x: number) => x * 10, i));
  await new Promise((r) => setTimeout(r, 300));
  await interrupt(a!);
  assert.equal(await before, 42);
  await assert.rejects(throws, (e: RemoteException) => e instanceof RemoteException && /thrown before the busy call/.test(String(e.message)));
  await assert.rejects(busy, (e: RemoteException) => e instanceof RemoteException && e.cause instanceof InterruptException);
  assert.deepEqual(await Promise.all(after), [0, 10, 20, 30, 40]);
  // Many more batches after it.
  const many = await Promise.all(Array.from({ length: 500 }, (_, i) => remotecallFetch(a!, (x: number) => x, i)));
  assert.deepEqual(many, Array.from({ length: 500 }, (_, i) => i));
});

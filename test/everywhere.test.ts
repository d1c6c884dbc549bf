// everywhere: a function on every process (this one too), defining globals
// that later calls use; a module imported on every process, including workers
// added afterwards; failures gathered into one CompositeException.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, CompositeException, everywhere, myid, pmap, procs, remotecallFetch, RemoteException, rmprocs } from 'loom';

const setupModule = new URL('./fixtures/remote-setup-module.js', import.meta.url).href;
const brokenModule = new URL('./fixtures/remote-setup-broken.js', import.meta.url).href;
declare const loom: typeof import('loom');

test('everywhere(fn) runs on every process, the master included, and defines what later calls use', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const where = await everywhere(() => loom.myid());
  assert.deepEqual(where, procs());
  assert.deepEqual(where, [1, ...ids]);
  await everywhere(() => {
    (globalThis as { cube?: (x: number) => number }).cube = (x: number) => x * x * x;
  });
  const cube = (globalThis as { cube?: (x: number) => number }).cube;
  assert.equal(cube?.(3), 27, 'defined here too');
  // A function sent later may use the global that everywhere defined.
  assert.equal(await remotecallFetch(ids[0]!, (x: number) => (globalThis as unknown as { cube: (x: number) => number }).cube(x), 4), 64);
  assert.deepEqual(await pmap((x: number) => (globalThis as unknown as { cube: (x: number) => number }).cube(x), [1, 2, 3]), [1, 8, 27]);
  delete (globalThis as { cube?: unknown }).cube;
});

test('everywhere(module) imports it everywhere, on workers added later too', async (t) => {
  const ids = await addprocs(1);
  const more: number[] = [];
  t.after(() => rmprocs(...ids, ...more));
  await everywhere(setupModule);
  const marks = () => everywhere(() => (globalThis as { remoteSetupImports?: number }).remoteSetupImports ?? 0);
  assert.deepEqual(await marks(), [1, 1]);
  more.push(...(await addprocs(1)));
  assert.equal(await remotecallFetch(more[0]!, () => (globalThis as unknown as { remoteSetupSquare: (x: number) => number }).remoteSetupSquare(9)), 81);
  assert.deepEqual(await marks(), [1, 1, 1], 'imported once on each process');
  await everywhere(setupModule);
  assert.deepEqual(await marks(), [1, 1, 1], 'a module is evaluated once per process');
});

test('failures on any process come back in one CompositeException', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  await assert.rejects(
    everywhere(() => {
      if (loom.myid() !== 1) throw new Error(`no thanks from ${loom.myid()}`);
    }),
    (e: unknown) => {
      assert.ok(e instanceof CompositeException);
      assert.equal(e.exceptions.length, 2);
      assert.ok(e.exceptions.every((x) => x instanceof RemoteException));
      assert.deepEqual(e.exceptions.map((x) => (x as RemoteException).pid).sort(), [...ids].sort());
      return true;
    },
  );
  await assert.rejects(everywhere(brokenModule, { pids: ids }), (e: unknown) => {
    assert.ok(e instanceof CompositeException);
    assert.equal(e.exceptions.length, 2);
    assert.match(e.message, /refuses to load/);
    return true;
  });
  assert.equal(myid(), 1);
  await assert.rejects(everywhere(42 as never), TypeError);
});

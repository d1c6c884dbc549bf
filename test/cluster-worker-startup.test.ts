// A loom-worker joins with only the cluster runtime loaded and loads the rest
// of the library when its first call, reference or shared array arrives: that
// first message decodes as any later one, the library it loads is the one
// `import 'loom'` gives user code there, and a worker interrupted before it got
// any work (its SIGINT helper thread not started yet) survives the interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, interrupt, remotecall, remotecallFetch, rmprocs, SharedArray, sdata } from 'loom';

/** The library as a shipped function sees it (bound on every process). */
declare const loom: typeof import('loom');

test('the first call to a fresh worker carries a function, a Future and a SharedArray, and loads the one library', async (t) => {
  const [id] = await addprocs(1);
  t.after(() => rmprocs(id!));
  const shared = await SharedArray.create(Float64Array, 4, { pids: [1, id!] });
  const local = remotecall(1, () => 7);
  const answer = await remotecallFetch(
    id!,
    async (a: SharedArray<Float64Array>, f: unknown, g: () => number) => {
      loom.sdata(a)[0] = g();
      const imported = await import('loom');
      return {
        // The same instances (the bound `loom` is the bundle's namespace, `import` gives its re-exports).
        sameLibrary:
          imported.Future === loom.Future &&
          imported.myid === loom.myid &&
          imported.SharedArray === loom.SharedArray &&
          (globalThis as { loom?: unknown }).loom === loom,
        futureKind: (f as object).constructor.name,
        fetched: await loom.fetch(f as never),
      };
    },
    shared,
    local,
    () => 42,
  );
  assert.deepEqual(answer, { sameLibrary: true, futureKind: 'Future', fetched: 7 });
  assert.equal(sdata(shared)[0], 42);
});

test('interrupt of a worker that has not run anything yet leaves it serving', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  await interrupt(...ids);
  assert.deepEqual(await Promise.all(ids.map((p) => remotecallFetch(p, () => loom.myid()))), ids);
});

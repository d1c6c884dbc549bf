// A worker SIGKILLed in the middle of pmap: with errRetry its items in flight
// go to the workers left, and every result arrives exactly once, in order;
// without errRetry they hold ProcessExitedException in their places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, pmap, ProcessExitedException, remotecallFetch, rmprocs } from 'loom';

declare const loom: typeof import('loom');

async function killMidway(victim: number, afterItems: number, progress: { done: number }): Promise<void> {
  const osPid = await remotecallFetch(victim, () => process.pid);
  while (progress.done < afterItems) await new Promise((r) => setTimeout(r, 5));
  process.kill(osPid, 'SIGKILL');
}

for (const batchSize of [1, 'auto'] as const) {
  test(`errRetry: every result exactly once after a worker is SIGKILLed (batchSize ${batchSize})`, async (t) => {
    const ids = await addprocs(3);
    t.after(() => rmprocs(...ids));
    const n = 600;
    const xs = Array.from({ length: n }, (_, i) => i);
    const progress = { done: 0 };
    const killed = killMidway(ids[1]!, 150, progress);
    const out = await pmap(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 2));
        return { x, y: x * 3, pid: loom.myid() };
      },
      xs,
      { batchSize, onProgress: (done) => (progress.done = done) },
    );
    await killed;
    assert.equal(out.length, n);
    for (let i = 0; i < n; i++) {
      const r = out[i] as { x: number; y: number; pid: number };
      assert.equal(r.x, i, `item ${i} in its place`);
      assert.equal(r.y, 3 * i);
    }
    const byPid = new Map<number, number>();
    for (const r of out as { pid: number }[]) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
    assert.ok((byPid.get(ids[0]!) ?? 0) > 0 && (byPid.get(ids[2]!) ?? 0) > 0, 'the others took over');
    assert.ok((byPid.get(ids[1]!) ?? 0) < n / 2, 'the killed worker stopped contributing');
  });
}

test('without errRetry the items lost with the worker hold ProcessExitedException', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const n = 300;
  const progress = { done: 0 };
  const killed = killMidway(ids[0]!, 60, progress);
  const out = await pmap(
    async (x: number) => {
      await new Promise((r) => setTimeout(r, 2));
      return x;
    },
    Array.from({ length: n }, (_, i) => i),
    { errRetry: false, batchSize: 1, onProgress: (done) => (progress.done = done) },
  );
  await killed;
  const lost = out.filter((r) => r instanceof ProcessExitedException);
  assert.ok(lost.length > 0, 'some items were in flight on the killed worker');
  for (let i = 0; i < n; i++) if (!(out[i] instanceof ProcessExitedException)) assert.equal(out[i], i);
});

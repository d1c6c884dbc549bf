// interrupt(): a worker's synchronous busy loop and its pending async work fail
// with InterruptException, and the worker goes on serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, interrupt, InterruptException, rmprocs } from 'loom';
import { echo, echoFixture, evalOn, spin } from './fixtures/cluster-client.js';

const isInterrupt = (e: unknown) => e instanceof InterruptException;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Fails instead of hanging when an interrupt did not arrive. */
const within = <T>(p: Promise<T>, seconds = 15): Promise<T | 'timed out'> =>
  Promise.race([p, sleep(seconds * 1000).then(() => 'timed out' as const)]);

test('interrupt breaks a synchronous busy loop; the worker keeps serving', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const p = spin(a);
  const q = spin(b);
  await Promise.all([p.started, q.started]);
  await sleep(50);
  const t0 = Date.now();
  await interrupt(a);
  assert.ok(isInterrupt(await within(p.done)));
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(await echo(a, 'after'), 'after');
  assert.equal(await evalOn(a, () => 40 + 2), 42, 'later calls run normally');

  await interrupt(); // every worker
  assert.ok(isInterrupt(await within(q.done)));
  assert.equal(await echo(b, 'b after'), 'b after');
});

test('without the native runtime (LOOM_NATIVE=0), interrupt breaks a busy loop all the same', async (t) => {
  const before = process.env.LOOM_NATIVE;
  process.env.LOOM_NATIVE = '0'; // the workers inherit it
  let ids: number[];
  try {
    ids = await addprocs(1, { exeflags: ['--import', echoFixture] });
  } finally {
    if (before === undefined) delete process.env.LOOM_NATIVE;
    else process.env.LOOM_NATIVE = before;
  }
  t.after(() => rmprocs(...ids));
  const [a] = ids as [number];
  assert.equal(await evalOn(a, () => process.env.LOOM_NATIVE), '0');
  const p = spin(a);
  await p.started;
  await sleep(50);
  await interrupt(a);
  assert.ok(isInterrupt(await within(p.done)));
  assert.equal(await echo(a, 'after'), 'after');
});

test('a vm run with breakOnSigint on a worker does not take interrupts away', async (t) => {
  const ids = await addprocs(1, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...ids));
  const [a] = ids as [number];
  // Node's own SIGINT watchdog starts and stops around this run, and leaves its exit handler behind.
  assert.equal(
    await evalOn(a, () => (process as unknown as { getBuiltinModule(m: string): typeof import('node:vm') }).getBuiltinModule('node:vm').runInThisContext('40 + 2', { breakOnSigint: true })),
    42,
  );
  const p = spin(a);
  await p.started;
  await sleep(50);
  await interrupt(a);
  assert.ok(isInterrupt(await within(p.done)), 'interrupted, not killed');
  assert.equal(await echo(a, 'after'), 'after');
});

test('interrupt rejects pending async work and aborts its signal', async (t) => {
  const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(id!));
  await echo(id!, 'warm');
  const never = evalOn(id!, (signal: AbortSignal) => {
    const g = globalThis as { abortedBy?: string };
    signal.addEventListener('abort', () => (g.abortedBy = (signal.reason as Error).name));
    return new Promise(() => undefined);
  }).then(() => 'finished', (e: unknown) => e);
  // Calls run in order: once a later one answers, the pending one has started.
  assert.equal(await evalOn(id!, () => 'after'), 'after');
  await interrupt(id!);
  assert.ok(isInterrupt(await within(never)));
  assert.equal(await evalOn(id!, () => (globalThis as { abortedBy?: string }).abortedBy), 'InterruptException');
  assert.equal(await evalOn(id!, async (x: number) => x + 1, 1), 2);
});

test('interrupt of an unknown id is a RangeError', async () => {
  await assert.rejects(interrupt(77), { name: 'RangeError', message: 'unknown process id 77' });
});

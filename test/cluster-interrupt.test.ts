// interrupt(): a worker's synchronous busy loop and its pending async work fail
// with InterruptException, and the worker goes on serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, interrupt, InterruptException, rmprocs } from 'loom';
import { echo, echoFixture, evalOn } from './fixtures/cluster-client.js';

const isInterrupt = (e: unknown) => e instanceof InterruptException;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('interrupt breaks a synchronous busy loop; the worker keeps serving', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const busy = () => {
    for (;;);
  };
  // Settled into values at once: a rejection may come before interrupt() returns.
  const settle = (x: Promise<unknown>) => x.then(() => 'finished', (e: unknown) => e);
  const p = settle(evalOn(a, busy));
  const q = settle(evalOn(b, busy));
  await sleep(300);
  const t0 = Date.now();
  await interrupt(a);
  assert.ok(isInterrupt(await p));
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(await echo(a, 'after'), 'after');
  assert.equal(await evalOn(a, () => 40 + 2), 42, 'later calls run normally');

  await interrupt(); // every worker
  assert.ok(isInterrupt(await q));
  assert.equal(await echo(b, 'b after'), 'b after');
});

test('interrupt rejects pending async work and aborts its signal', async (t) => {
  const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(id!));
  const never = evalOn(id!, (signal: AbortSignal) => {
    const g = globalThis as { abortedBy?: string };
    signal.addEventListener('abort', () => (g.abortedBy = (signal.reason as Error).name));
    return new Promise(() => undefined);
  }).then(() => 'finished', (e: unknown) => e);
  await sleep(200);
  await interrupt(id!);
  assert.ok(isInterrupt(await never));
  assert.equal(await evalOn(id!, () => (globalThis as { abortedBy?: string }).abortedBy), 'InterruptException');
  assert.equal(await evalOn(id!, async (x: number) => x + 1, 1), 2);
});

test('interrupt of an unknown id is a RangeError', async () => {
  await assert.rejects(interrupt(77), { name: 'RangeError', message: 'unknown process id 77' });
});

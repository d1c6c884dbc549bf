// Distributed reference counting observed on the owner: a value is freed when
// no process holds a reference to it any more (garbage-collected proxies on
// this process and on a third one, fetched futures, exited holders), and a
// long loop of remote calls leaves nothing behind on any process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { addprocs, fetch, remotecall, remotecallFetch, RemoteChannel, remoteFn, rmprocs } from 'loom';
import { ownedRefCount } from '../lib/remote/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ownedOn = remoteFn<typeof ownedRefCount>(new URL('../lib/remote/index.js', import.meta.url).href, 'ownedRefCount');
declare const loom: typeof import('loom');

/** Collects here and on `pids` until `check` holds (or 10 s pass). */
async function eventually(pids: number[], check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    gc();
    await Promise.all(pids.map((p) => remotecallFetch(p, () => (globalThis as { gc?: () => void }).gc?.())));
    await new Promise((r) => setTimeout(r, 30));
    if (await check()) return;
    if (Date.now() > deadline) assert.fail('the condition did not become true within 10 s');
  }
}

test('a channel owned by a worker is freed once this process drops its proxies', async (t) => {
  const [a] = await addprocs(1, { exeflags: ['--expose-gc'] });
  t.after(() => rmprocs(a!));
  const base = await remotecallFetch(a!, ownedOn);
  (() => {
    for (let i = 0; i < 50; i++) void new RemoteChannel<number>(1, a).put(i);
  })();
  const held = new RemoteChannel<number>(1, a);
  await held.put(1);
  assert.equal(await remotecallFetch(a!, ownedOn), base + 51);
  await eventually([a!], async () => (await remotecallFetch(a!, ownedOn)) === base + 1);
  assert.equal(await held.take(), 1, 'the one still held is intact');
});

test('a reference held by a third process keeps the value; freed when it lets go too', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--expose-gc'] });
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const base = await remotecallFetch(a, ownedOn);
  await (async () => {
    const ch = new RemoteChannel<string>(1, a);
    await ch.put('kept by b');
    await remotecallFetch(b, (c: RemoteChannel<string>) => {
      (globalThis as { keep?: unknown }).keep = c;
    }, ch);
  })();
  assert.equal(await remotecallFetch(a, ownedOn), base + 1);
  // This process forgets it; b still holds it, so it stays.
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 30));
  }
  assert.equal(await remotecallFetch(a, ownedOn), base + 1);
  assert.equal(await remotecallFetch(b, () => ((globalThis as { keep?: RemoteChannel<string> }).keep!).fetch()), 'kept by b');
  // b lets go: the owner frees it.
  await remotecallFetch(b, () => {
    delete (globalThis as { keep?: unknown }).keep;
  });
  await eventually([a, b], async () => (await remotecallFetch(a, ownedOn)) === base);
});

test('a holder that exits holds nothing', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--expose-gc'] });
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  const base = await remotecallFetch(a, ownedOn);
  await remotecallFetch(b, (owner: number) => {
    (globalThis as { keep?: unknown }).keep = new loom.RemoteChannel(1, owner);
  }, a);
  await eventually([], async () => (await remotecallFetch(a, ownedOn)) === base + 1);
  await rmprocs(b);
  await eventually([a], async () => (await remotecallFetch(a, ownedOn)) === base);
});

test('a long loop of remote calls leaves nothing owned on any process', async (t) => {
  const [a] = await addprocs(1, { exeflags: ['--expose-gc'] });
  t.after(() => rmprocs(a!));
  const base = await remotecallFetch(a!, ownedOn);
  // Fetched futures let their owner go at once (the value is cached here).
  for (let i = 0; i < 2000; i++) assert.equal(await fetch(remotecall(a!, (x: number) => x + 1, i)), i + 1);
  await eventually([a!], async () => (await remotecallFetch(a!, ownedOn)) === base);
  // Futures never fetched are freed when their proxies are collected.
  const heapBefore = await remotecallFetch(a!, () => process.memoryUsage().heapUsed);
  // Each round in its own function, so that no stack slot of this one keeps its array.
  const round = async () => {
    const fs = [];
    for (let i = 0; i < 2000; i++) fs.push(remotecall(a!, (x: number) => new Array(100).fill(x), i));
    await fs[fs.length - 1]!.wait();
  };
  for (let r = 0; r < 5; r++) await round();
  await eventually([a!], async () => (await remotecallFetch(a!, ownedOn)) === base);
  assert.equal(ownedRefCount(), 0, 'nothing owned here either');
  const heapAfter = await remotecallFetch(a!, () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  });
  assert.ok(heapAfter < heapBefore + 8 * 2 ** 20, `worker heap grew by ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB`);
});

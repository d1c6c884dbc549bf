// The tasks layer beside the plainest pure-JS equivalents, measured in the same
// run: a bounded array queue with Promises for Channel, bare resolver hand-offs
// for Condition and yieldto, a flag-and-queue mutex for ReentrantLock.
import { Channel, Condition, ReentrantLock, Task, currentTask, schedule, wait, yieldto } from '../lib/index.js';
import { printTable, runSuite, type BenchCase } from './harness.js';

const N = 20_000;

/** The plainest bounded queue: arrays of values, waiting takers and waiting putters. */
class PlainQueue<T> {
  items: T[] = [];
  takers: ((v: T) => void)[] = [];
  putters: { v: T; resolve: () => void }[] = [];
  constructor(readonly cap: number) {}
  put(v: T): Promise<void> {
    const taker = this.takers.shift();
    if (taker) {
      taker(v);
      return Promise.resolve();
    }
    if (this.items.length < this.cap) {
      this.items.push(v);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.putters.push({ v, resolve }));
  }
  take(): Promise<T> {
    if (this.items.length > 0) {
      const v = this.items.shift() as T;
      const p = this.putters.shift();
      if (p) {
        this.items.push(p.v);
        p.resolve();
      }
      return Promise.resolve(v);
    }
    const p = this.putters.shift();
    if (p) {
      p.resolve();
      return Promise.resolve(p.v);
    }
    return new Promise((resolve) => this.takers.push(resolve));
  }
}

interface QueueLike {
  put(v: number): Promise<unknown>;
  take(): Promise<number>;
}

async function pump(q: QueueLike, producers: number, consumers: number): Promise<void> {
  const per = N / producers;
  const perC = N / consumers;
  const jobs: Promise<unknown>[] = [];
  for (let p = 0; p < producers; p++) {
    jobs.push(
      (async () => {
        for (let i = 0; i < per; i++) await q.put(i);
      })(),
    );
  }
  let sum = 0;
  for (let c = 0; c < consumers; c++) {
    jobs.push(
      (async () => {
        for (let i = 0; i < perC; i++) {
          const v = await q.take();
          sum += v;
        }
      })(),
    );
  }
  await Promise.all(jobs);
  if (sum !== (consumers === 0 ? 0 : producers * ((per * (per - 1)) / 2))) throw new Error(`lost values: ${sum}`);
}

function channelCases(producers: number, consumers: number): BenchCase[] {
  return [
    { name: `plain array queue ${producers}/${consumers}`, baseline: true, opsPerCall: N, fn: () => pump(new PlainQueue<number>(32), producers, consumers) },
    { name: `Channel(32) ${producers}/${consumers}`, opsPerCall: N, fn: () => pump(new Channel<number>(32), producers, consumers) },
  ];
}

async function conditionPingPong(): Promise<void> {
  const ping = new Condition<number>();
  const pong = new Condition<number>();
  const other = (async () => {
    for (let i = 0; i < N; i++) {
      await ping.wait();
      pong.notify(i);
    }
  })();
  for (let i = 0; i < N; i++) {
    const back = pong.wait();
    ping.notify(i);
    await back;
  }
  await other;
}

async function plainPingPong(): Promise<void> {
  let wakePing: (v: number) => void = () => {};
  let wakePong: (v: number) => void = () => {};
  const other = (async () => {
    for (let i = 0; i < N; i++) {
      await new Promise<number>((r) => (wakePing = r));
      wakePong(i);
    }
  })();
  for (let i = 0; i < N; i++) {
    const back = new Promise<number>((r) => (wakePong = r));
    wakePing(i);
    await back;
  }
  await other;
}

/** The plainest async mutex: a flag and a queue of resolvers. */
class PlainMutex {
  locked = false;
  queue: (() => void)[] = [];
  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((r) => this.queue.push(r));
  }
  unlock(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.locked = false;
  }
}

async function lockLoop(l: { lock(): Promise<void>; unlock(): void }): Promise<void> {
  for (let i = 0; i < N; i++) {
    await l.lock();
    l.unlock();
  }
}

// Two contenders alternate: every lock after the first waits for a hand-over.
function contended(make: () => { lock(): Promise<void>; unlock(): void }): Promise<unknown> {
  const l = make();
  const body = async (): Promise<void> => {
    for (let i = 0; i < N / 2; i++) {
      await l.lock();
      await null;
      l.unlock();
    }
  };
  return Promise.all([wait(schedule(new Task(body))), wait(schedule(new Task(body)))]);
}

async function yieldtoPingPong(): Promise<void> {
  const me = currentTask();
  const other = new Task(async () => {
    for (;;) await yieldto(me);
  });
  for (let i = 0; i < N / 2; i++) await yieldto(other, i);
}

async function plainSwitches(): Promise<void> {
  let resumeMain: (v: unknown) => void = () => {};
  let resumeOther: (v: unknown) => void = () => {};
  const park = (set: (r: (v: unknown) => void) => void): Promise<unknown> => new Promise((r) => set(r));
  void (async () => {
    for (;;) {
      const p = park((r) => (resumeOther = r));
      resumeMain(undefined);
      await p;
    }
  })();
  for (let i = 0; i < N / 2; i++) {
    const p = park((r) => (resumeMain = r));
    resumeOther(i);
    await p;
  }
}

/** Runs fn inside a fresh Task (so AsyncLocalStorage is active, as in any program that uses tasks). */
function inTask(fn: () => Promise<unknown>): () => Promise<unknown> {
  return () => wait(schedule(new Task(fn)));
}

// Part 1: before any Task exists. Node 20 enables AsyncLocalStorage's promise
// hooks process-wide on the first task and never turns them off; they roughly
// halve the speed of every await, loom's and the plain code's alike, so part 2
// measures both sides again in that regime.
await runSuite('Channel put/take pairs, 1 producer / 1 consumer (buffered, 32)', channelCases(1, 1));
await runSuite('Channel put/take pairs, 4 producers / 4 consumers (buffered, 32)', channelCases(4, 4));
await runSuite('Channel put/take pairs, unbuffered (size 0), 1/1', [
  { name: 'plain rendezvous queue 1/1', baseline: true, opsPerCall: N, fn: () => pump(new PlainQueue<number>(0), 1, 1) },
  { name: 'Channel(0) 1/1', opsPerCall: N, fn: () => pump(new Channel<number>(0), 1, 1) },
]);
await runSuite('Condition notify/wait round trips', [
  { name: 'plain resolver ping-pong', baseline: true, opsPerCall: N, fn: plainPingPong },
  { name: 'Condition ping-pong', opsPerCall: N, fn: conditionPingPong },
]);
await runSuite('lock/unlock, uncontended', [
  { name: 'plain flag-and-queue mutex', baseline: true, opsPerCall: N, fn: () => lockLoop(new PlainMutex()) },
  { name: 'ReentrantLock', opsPerCall: N, fn: () => lockLoop(new ReentrantLock()) },
]);
await runSuite('Channel tryPut/tryTake (no Promise at all), one task, bursts of 16', [
  {
    name: 'plain array push/shift',
    baseline: true,
    opsPerCall: N,
    fn: () => {
      const q: number[] = [];
      for (let i = 0; i < N; i += 16) {
        for (let j = 0; j < 16; j++) q.push(j);
        for (let j = 0; j < 16; j++) q.shift();
      }
    },
  },
  {
    name: 'Channel(32) tryPut/tryTake',
    opsPerCall: N,
    fn: () => {
      const ch = new Channel<number>(32);
      for (let i = 0; i < N; i += 16) {
        for (let j = 0; j < 16; j++) ch.tryPut(j);
        for (let j = 0; j < 16; j++) ch.tryTake();
      }
    },
  },
]);
await bestOf('Channel 1/1', channelCases(1, 1) as [BenchCase, BenchCase]);
await bestOf('Channel 4/4', channelCases(4, 4) as [BenchCase, BenchCase]);

// Part 2: with tasks in use (AsyncLocalStorage hooks on), every case inside a Task.
await runSuite('[tasks in use] Channel put/take pairs 1/1 (buffered, 32)', [
  { name: 'plain array queue 1/1', baseline: true, opsPerCall: N, fn: inTask(() => pump(new PlainQueue<number>(32), 1, 1)) },
  { name: 'Channel(32) 1/1', opsPerCall: N, fn: inTask(() => pump(new Channel<number>(32), 1, 1)) },
]);
await runSuite('[tasks in use] Channel put/take pairs 4/4 (buffered, 32)', [
  { name: 'plain array queue 4/4', baseline: true, opsPerCall: N, fn: inTask(() => pump(new PlainQueue<number>(32), 4, 4)) },
  { name: 'Channel(32) 4/4', opsPerCall: N, fn: inTask(() => pump(new Channel<number>(32), 4, 4)) },
]);
await runSuite('[tasks in use] Condition notify/wait round trips', [
  { name: 'plain resolver ping-pong', baseline: true, opsPerCall: N, fn: inTask(plainPingPong) },
  { name: 'Condition ping-pong', opsPerCall: N, fn: inTask(conditionPingPong) },
]);
await runSuite('[tasks in use] lock/unlock, 2 tasks contending', [
  { name: 'plain flag-and-queue mutex', baseline: true, opsPerCall: N, fn: () => contended(() => new PlainMutex()) },
  { name: 'ReentrantLock', opsPerCall: N, fn: () => contended(() => new ReentrantLock()) },
]);
await runSuite('[tasks in use] task switches per second', [
  { name: 'plain resolver hand-off', baseline: true, opsPerCall: N, fn: inTask(plainSwitches) },
  { name: 'yieldto', opsPerCall: N, fn: inTask(yieldtoPingPong) },
]);

// The "best of" tables: the same pairs interleaved round by round, keeping each
// side's best round, which holds its ratio even while other processes load
// this 2-core machine (the benchmark.js tables can swing by tens of percent).
async function bestOf(title: string, pair: [BenchCase, BenchCase], rounds = 15): Promise<void> {
  const best = [0, 0];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 2; i++) {
      const c = pair[i]!;
      const t0 = performance.now();
      await c.fn();
      best[i] = Math.max(best[i]!, ((c.opsPerCall ?? 1) * 1000) / (performance.now() - t0));
    }
  }
  printTable(`${title} (best of ${rounds} interleaved rounds)`, [
    { name: pair[0].name, value: best[0]!, unit: 'ops/s', baseline: true },
    { name: pair[1].name, value: best[1]!, unit: 'ops/s' },
  ]);
}

await bestOf('[tasks in use] Channel 1/1', [
  { name: 'plain array queue 1/1', opsPerCall: N, fn: inTask(() => pump(new PlainQueue<number>(32), 1, 1)) },
  { name: 'Channel(32) 1/1', opsPerCall: N, fn: inTask(() => pump(new Channel<number>(32), 1, 1)) },
]);
await bestOf('[tasks in use] Channel 4/4', [
  { name: 'plain array queue 4/4', opsPerCall: N, fn: inTask(() => pump(new PlainQueue<number>(32), 4, 4)) },
  { name: 'Channel(32) 4/4', opsPerCall: N, fn: inTask(() => pump(new Channel<number>(32), 4, 4)) },
]);
await bestOf('[tasks in use] Channel(0) 1/1', [
  { name: 'plain rendezvous queue 1/1', opsPerCall: N, fn: inTask(() => pump(new PlainQueue<number>(0), 1, 1)) },
  { name: 'Channel(0) 1/1', opsPerCall: N, fn: inTask(() => pump(new Channel<number>(0), 1, 1)) },
]);
await bestOf('[tasks in use] Condition round trips', [
  { name: 'plain resolver ping-pong', opsPerCall: N, fn: inTask(plainPingPong) },
  { name: 'Condition ping-pong', opsPerCall: N, fn: inTask(conditionPingPong) },
]);
await bestOf('[tasks in use] lock/unlock uncontended', [
  { name: 'plain flag-and-queue mutex', opsPerCall: N, fn: inTask(() => lockLoop(new PlainMutex())) },
  { name: 'ReentrantLock', opsPerCall: N, fn: inTask(() => lockLoop(new ReentrantLock())) },
]);
await bestOf('[tasks in use] lock/unlock, 2 tasks contending', [
  { name: 'plain flag-and-queue mutex', opsPerCall: N, fn: () => contended(() => new PlainMutex()) },
  { name: 'ReentrantLock', opsPerCall: N, fn: () => contended(() => new ReentrantLock()) },
]);
await bestOf('[tasks in use] task switches', [
  { name: 'plain resolver hand-off', opsPerCall: N, fn: inTask(plainSwitches) },
  { name: 'yieldto', opsPerCall: N, fn: inTask(yieldtoPingPong) },
]);

// pmap on real workers: order, zipped lists, dynamic scheduling, and each
// option: errRetry (on a different worker), errStop, errors held in place,
// batchSize, retryDelays, onError, signal, onProgress, pids; local when alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, myid, pmap, RemoteException, rmprocs } from 'loom';

declare const loom: typeof import('loom');

test('pmap keeps order, zips lists to the shortest, and uses every worker', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const xs = Array.from({ length: 1000 }, (_, i) => i);
  assert.deepEqual(await pmap((x: number) => x * x, xs), xs.map((x) => x * x));
  assert.deepEqual(await pmap((a: number, b: string) => `${b}${a}`, [1, 2, 3, 4], ['a', 'b', 'c']), ['a1', 'b2', 'c3']);
  assert.deepEqual(await pmap((x: number) => x, new Set([5, 6, 7])), [5, 6, 7]);
  assert.deepEqual(await pmap((x: number) => x, []), []);
  // Slow items spread over both workers (dynamic, not one chunk each).
  const where = await pmap(async (x: number) => {
    await new Promise((r) => setTimeout(r, 20));
    return loom.myid();
  }, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual([...new Set(where)].sort(), [...ids].sort());
});

test('dynamic scheduling: a slow worker gets fewer items', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [slow] = ids as [number, number];
  const where = await pmap(async (x: number, slowPid: number) => {
    await new Promise((r) => setTimeout(r, loom.myid() === slowPid ? 60 : 5));
    return loom.myid();
  }, Array.from({ length: 40 }, (_, i) => i), Array(40).fill(slow));
  const onSlow = where.filter((p) => p === slow).length;
  assert.ok(onSlow < 15, `the slow worker did ${onSlow} of 40`);
});

test('a failing item holds its RemoteException in place (errRetry: false)', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const out = await pmap((x: number) => {
    if (x % 3 === 0) throw new Error(`bad ${x}`);
    return x;
  }, [1, 2, 3, 4, 5, 6], { errRetry: false });
  assert.equal(out[0], 1);
  assert.equal(out[1], 2);
  assert.ok(out[2] instanceof RemoteException);
  assert.equal((out[2] as RemoteException).cause.message, 'bad 3');
  assert.ok(ids.includes((out[2] as RemoteException).pid));
  assert.ok(out[5] instanceof RemoteException);
});

test('errRetry retries a failed item once, on a different worker', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const [a, b] = ids as [number, number];
  // Items fail on worker a only: each is retried on b and succeeds there.
  const out = await pmap((x: number, bad: number) => {
    if (loom.myid() === bad) throw new Error(`refuse ${x} on ${bad}`);
    return [x, loom.myid()];
  }, [0, 1, 2, 3, 4, 5, 6, 7], Array(8).fill(a), { batchSize: 1 });
  for (const [k, r] of out.entries()) assert.deepEqual(r, [k, b]);
  // An item that fails everywhere fails after exactly one retry, on the other worker.
  await Promise.all(ids.map((p) => loom.remotecallFetch(p, () => void ((globalThis as { tries?: number }).tries = 0))));
  const res = await pmap(() => {
    const g = globalThis as { tries?: number };
    g.tries = (g.tries ?? 0) + 1;
    throw new Error(`always on ${loom.myid()}`);
  }, [1]);
  assert.ok(res[0] instanceof RemoteException);
  const tries = await Promise.all(ids.map((p) => loom.remotecallFetch(p, () => (globalThis as { tries?: number }).tries)));
  assert.deepEqual(tries, [1, 1], 'tried once on each worker');
});

test('errStop rejects with the first RemoteException after in-flight work settles', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  let progressAfterReject = false;
  let rejected = false;
  await assert.rejects(
    pmap(async (x: number) => {
      await new Promise((r) => setTimeout(r, 10));
      if (x === 5) throw new Error('stop here');
      return x;
    }, Array.from({ length: 200 }, (_, i) => i), {
      errStop: true,
      batchSize: 1,
      onProgress: () => {
        if (rejected) progressAfterReject = true;
      },
    }).finally(() => (rejected = true)),
    (e: unknown) => e instanceof RemoteException && e.cause.message === 'stop here',
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(progressAfterReject, false, 'nothing was in flight any more when it rejected');
});

test('onError runs here and its value takes the failed item\'s place', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const seen: [string, unknown[]][] = [];
  const out = await pmap((x: number, y: number) => {
    if (x === 2) throw new Error('two');
    return x + y;
  }, [1, 2, 3], [10, 20, 30], {
    errRetry: false,
    onError: (err, ...items) => {
      seen.push([err.name, items]);
      return -1;
    },
  });
  assert.deepEqual(out, [11, -1, 33]);
  assert.deepEqual(seen, [['RemoteException', [2, 20]]]);
  // A throwing onError rejects pmap.
  await assert.rejects(pmap(() => {
    throw new Error('x');
  }, [1], { errRetry: false, onError: () => {
    throw new Error('handler failed');
  } }), /handler failed/);
});

test('retryDelays: as many retries as delays, each after its delay', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  await Promise.all(ids.map((p) => loom.remotecallFetch(p, () => void ((globalThis as { tries?: number }).tries = 0))));
  const t0 = Date.now();
  const out = await pmap(() => {
    const g = globalThis as { tries?: number };
    g.tries = (g.tries ?? 0) + 1;
    throw new Error('flaky');
  }, [1], { retryDelays: [0.1, 0.2] });
  const elapsed = Date.now() - t0;
  assert.ok(out[0] instanceof RemoteException);
  const tries = await Promise.all(ids.map((p) => loom.remotecallFetch(p, () => (globalThis as { tries?: number }).tries ?? 0)));
  assert.equal(tries[0]! + tries[1]!, 3, 'first try and two retries');
  assert.ok(elapsed >= 300, `waited ${elapsed} ms`);
});

test('batchSize sends several items a message, keeps per-item semantics; auto batches trivial items', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const xs = Array.from({ length: 100 }, (_, i) => i);
  const out = await pmap((x: number) => {
    if (x === 42) throw new Error('only 42');
    return x;
  }, xs, { batchSize: 10, errRetry: false });
  assert.ok(out[42] instanceof RemoteException);
  assert.deepEqual(out.filter((_, i) => i !== 42), xs.filter((x) => x !== 42));
  // Auto: 100 000 trivial items go in far fewer messages than items.
  const calls = await loom.remotecallFetch(ids[0]!, () => 0);
  assert.equal(calls, 0);
  const big = Array.from({ length: 100_000 }, (_, i) => i);
  const t0 = Date.now();
  const sq = await pmap((x: number) => x + 1, big);
  assert.equal(sq.length, big.length);
  assert.equal(sq[99_999], 100_000);
  assert.ok(Date.now() - t0 < 5000);
  await assert.rejects(pmap((x: number) => x, [1], { batchSize: 0 }), RangeError);
  await assert.rejects(pmap((x: number) => x, [1], { bogus: 1 } as never), /unknown option "bogus"/);
});

test('an AbortSignal stops pmap; onProgress reports; pids restricts the pool', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(...ids));
  const ac = new AbortController();
  const p = pmap(async (x: number) => {
    await new Promise((r) => setTimeout(r, 20));
    return x;
  }, Array.from({ length: 1000 }, (_, i) => i), { signal: ac.signal, batchSize: 1 });
  setTimeout(() => ac.abort(new Error('enough')), 100);
  await assert.rejects(p, /enough/);
  const progress: number[] = [];
  await pmap((x: number) => x, Array.from({ length: 50 }, (_, i) => i), {
    batchSize: 5,
    onProgress: (done, total) => {
      assert.equal(total, 50);
      progress.push(done);
    },
  });
  assert.equal(progress[progress.length - 1], 50);
  assert.deepEqual([...progress].sort((x, y) => x - y), progress, 'monotonic');
  const only = await pmap(() => loom.myid(), Array(20).fill(0), { pids: [ids[1]!] });
  assert.deepEqual(new Set(only), new Set([ids[1]]));
  const local = await pmap(() => loom.myid(), [0, 0], { pids: [myid()] });
  assert.deepEqual(local, [1, 1]);
});

test('with no workers pmap runs here, with the same error semantics', async () => {
  const local = { notCloneable: Symbol('here') };
  const out = await pmap((x: number) => {
    if (x === 2) throw new Error('two');
    return local;
  }, [1, 2, 3]);
  assert.equal(out[0], local, 'no serialization');
  assert.ok(out[1] instanceof RemoteException);
  assert.equal((out[1] as RemoteException).pid, 1);
});

test('progress: a bar on stderr when asked (erased at the end), silent by default off a TTY', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = (opts: string) =>
    promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { pmap, sleep } from 'loom';
         const out = await pmap(async (x) => { await sleep(0.05); return x; }, [1, 2, 3, 4], ${opts});
         console.log(JSON.stringify(out));`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
  const shown = await run('{ progress: true }');
  assert.equal(shown.stdout.trim(), '[1,2,3,4]');
  assert.match(shown.stderr, /pmap \[#*\.*\] \d\/4/);
  assert.ok(shown.stderr.endsWith('\r\x1b[2K'), 'the bar is erased at the end');
  const quiet = await run('{}');
  assert.equal(quiet.stderr, '', 'stderr is not a TTY here: no bar');
});

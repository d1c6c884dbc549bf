// SharedArray across real worker processes: init on each worker's localindexes,
// writes seen everywhere, one mapping per process, the pids rules (outside pids,
// two hosts, without the master), failures on workers, and no segment left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as loom from 'loom';
import { addprocs, remotecallFetch, remotecallWait, rmprocs, SharedArray } from 'loom';
import { fileBytes, segmentsOf, workersForFile } from './fixtures/shared-leaks.js';

const osPids = workersForFile(2);

test('init runs on every worker over its localindexes; the master only drives', async () => {
  const S = await SharedArray.create(Int32Array, [5, 3], {
    init: (A) => {
      for (const i of A.localindexes()) A.data[i] = loom.myid();
    },
  });
  try {
    assert.deepEqual(S.pids, [1, 2, 3]);
    assert.equal(S.indexpid(), 0, 'the master is not among the workers of S');
    assert.equal(S.localindexes().length, 0);
    assert.deepEqual([...S.data], [2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], "Julia's partition: 7 and 8");
    const seen = await Promise.all([2, 3].map((p) => remotecallFetch(p, (A: SharedArray) => [A.indexpid(), A.localindexes().start, A.localindexes().stop], S)));
    assert.deepEqual(seen, [[1, 0, 7], [2, 7, 15]]);
  } finally {
    S.close();
  }
  assert.deepEqual(segmentsOf(process.pid), [], 'unlinked once every pid had mapped it');
});

test('a write on one worker is seen by another and by the master, and back', async () => {
  const S = await SharedArray.create(Float64Array, [2, 2]);
  try {
    await remotecallWait(2, (A: SharedArray<Float64Array>) => A.set(1, 0, 42.5), S);
    assert.equal(await remotecallFetch(3, (A: SharedArray<Float64Array>) => A.get(1, 0), S), 42.5);
    assert.equal(S.get(1, 0), 42.5);
    S.set(0, 1, -3);
    assert.equal(await remotecallFetch(2, (A: SharedArray<Float64Array>) => A.data[2], S), -3);
  } finally {
    S.close();
  }
});

test('one SharedArray per process: passed again it is the same object, and it comes back as itself', async () => {
  const S = await SharedArray.create(Uint8Array, 16);
  try {
    assert.equal(await remotecallFetch(2, (A: SharedArray, B: SharedArray) => A === B, S, S), true);
    await remotecallWait(2, (A: SharedArray) => void ((globalThis as Record<string, unknown>).keptArray = A), S);
    assert.equal(await remotecallFetch(2, (A: SharedArray) => (globalThis as Record<string, unknown>).keptArray === A, S), true);
    const back = await remotecallFetch(3, (A: SharedArray) => A, S);
    assert.equal(back, S, 'a SharedArray returned to its creator is the creator’s own');
    const nested = await remotecallFetch(2, (A: SharedArray) => ({ list: [A], m: new Map([['a', A]]) }), S);
    assert.equal(nested.list[0], S);
    assert.equal(nested.m.get('a'), S);
  } finally {
    S.close();
  }
});

test('a worker that closed its copy cannot map it again: a clear error, and the worker lives on', async () => {
  const S = await SharedArray.create(Float64Array, 8);
  try {
    await remotecallWait(2, (A: SharedArray) => A.close(), S);
    await assert.rejects(remotecallFetch(2, (A: SharedArray<Float64Array>) => A.data.length, S), /cannot be mapped on process 2: its segment was unlinked once all of its pids \[1, 2, 3\] had mapped it/);
    assert.equal(await remotecallFetch(2, () => 'still here'), 'still here');
    assert.equal(await remotecallFetch(3, (A: SharedArray<Float64Array>) => A.data.length, S), 8, 'other processes keep theirs');
  } finally {
    S.close();
  }
});

test('closing on the creator releases only its own mapping: a worker that kept S still reads and writes it', async () => {
  const S = await SharedArray.create(Int32Array, 4, { pids: [1, 2] });
  S.data[0] = 41;
  await remotecallWait(2, (A: SharedArray<Int32Array>) => void ((globalThis as Record<string, unknown>).keptAfterClose = A), S);
  S.close();
  const seen = await remotecallFetch(2, () => {
    const A = (globalThis as Record<string, unknown>).keptAfterClose as SharedArray<Int32Array>;
    A.data[1] = A.data[0]! + 1;
    const v = [A.data[0], A.data[1]];
    A.close();
    return v;
  });
  assert.deepEqual(seen, [41, 42]);
  assert.deepEqual(segmentsOf(...osPids), []);
});

test('pids may exclude the master: the workers are the pids, the creator still maps it', async () => {
  const S = await SharedArray.create(Int16Array, 6, {
    pids: [2, 3],
    init: (A) => {
      for (const i of A.localindexes()) A.data[i] = 10 * A.indexpid() + i;
    },
  });
  try {
    assert.deepEqual(S.pids, [2, 3]);
    assert.equal(S.indexpid(), 0);
    assert.deepEqual([...S.data], [10, 11, 12, 23, 24, 25]);
  } finally {
    S.close();
  }
});

test('sending S to a process outside its pids is an error that names the pids', async (t) => {
  const S = await SharedArray.create(Float64Array, 4, { pids: [1, 2] });
  t.after(() => S.close());
  await assert.rejects(remotecallFetch(3, (A: SharedArray) => A.length, S), /mapped only by its pids \[1, 2\]/);
  const [late] = await addprocs(1);
  t.after(() => rmprocs(late!));
  const D = await SharedArray.create(Float64Array, 4, { pids: [1, 2, 3] });
  t.after(() => D.close());
  await assert.rejects(remotecallFetch(late!, (A: SharedArray) => A.length, D), /mapped only by its pids \[1, 2, 3\]/, 'a worker added later');
});

test('pids on two hosts are an error; by default only this host’s processes take part', async (t) => {
  process.env.LOOM_HOST_ID = 'another-host';
  let far: number;
  try {
    [far] = (await addprocs(1)) as [number];
  } finally {
    delete process.env.LOOM_HOST_ID;
  }
  t.after(() => rmprocs(far));
  osPids.push(await remotecallFetch(far, () => process.pid));
  await assert.rejects(SharedArray.create(Float64Array, 4, { pids: [1, 2, far] }), {
    name: 'RangeError',
    message: new RegExp(`must all be on one host.*process ${far} runs on another host`),
  });
  const S = await SharedArray.create(Float64Array, 4);
  assert.deepEqual(S.pids, [1, 2, 3], `process ${far} is left out`);
  S.close();
});

test('an init error on a worker rejects create with its RemoteException and frees the segment', async () => {
  await assert.rejects(
    SharedArray.create(Float64Array, 10, {
      init: (A) => {
        if (A.indexpid() === 2) throw new RangeError('bad init on purpose');
      },
    }),
    (e: Error) => {
      assert.equal(e.name, 'RemoteException');
      assert.match(e.message, /On worker 3: RangeError: bad init on purpose/);
      return true;
    },
  );
  assert.deepEqual(segmentsOf(...osPids), []);
});

test('a worker killed with SIGKILL during create: create rejects, no segment is left', async () => {
  const [victim] = (await addprocs(1)) as [number];
  osPids.push(await remotecallFetch(victim, () => process.pid));
  await assert.rejects(
    SharedArray.create(Float64Array, 1000, {
      pids: [1, 2, victim],
      init: (A) => {
        if (loom.myid() === A.pids[2]) process.kill(process.pid, 'SIGKILL');
      },
    }),
    (e: Error) => /exited|ProcessExited/.test(`${e.name} ${e.message}`),
  );
  assert.deepEqual(segmentsOf(...osPids), []);
  await assert.rejects(SharedArray.create(Float64Array, 8, { pids: [1, victim] }), /process|exited|unknown/);
  assert.deepEqual(segmentsOf(...osPids), []);
});

test('file-backed across workers: init on the workers lands in the file, kept after close', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-sa-workers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'm.bin');
  const S = await SharedArray.fromFile(file, Int32Array, [4, 3], {
    offset: 12,
    init: (A) => {
      for (const i of A.localindexes()) A.data[i] = 100 * loom.myid() + i;
    },
  });
  assert.equal(await remotecallFetch(3, (A: SharedArray<Int32Array>) => A.get(3, 2), S), 311);
  await remotecallWait(2, (A: SharedArray<Int32Array>) => {
    A.set(0, 0, -1);
    A.flush();
  }, S);
  S.close();
  const back = new Int32Array(fileBytes(file, 12));
  assert.deepEqual([...back], [-1, 201, 202, 203, 204, 205, 306, 307, 308, 309, 310, 311]);
  const R = await SharedArray.fromFile(file, Int32Array, [4, 3], { offset: 12, mode: 'r' });
  assert.equal(await remotecallFetch(2, (A: SharedArray<Int32Array>) => [A.mode, A.get(1, 1)], R).then((x) => JSON.stringify(x)), '["r",205]');
  R.close();
});

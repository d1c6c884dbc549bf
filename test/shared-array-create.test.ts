// SharedArray.create on one process: zeroed memory of every element type,
// column-major accessors, init, close, and every bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateException, SharedArray, indexpids, localindexes, procs, sdata, type TypedArrayConstructor } from 'loom';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { segmentsOf } from './fixtures/shared-leaks.js';

test('create: zeroed memory of every element type, in a segment unlinked once mapped', async () => {
  const types: TypedArrayConstructor[] = [Float64Array, Float32Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array, BigInt64Array, BigUint64Array];
  for (const T of types) {
    const S = await SharedArray.create(T, [3, 5]);
    try {
      assert.equal(S.data.constructor, T);
      assert.equal(S.data.length, 15);
      assert.equal(S.length, 15);
      assert.deepEqual(S.dims, [3, 5]);
      assert.equal(S.backing, 'shm');
      assert.equal(S.elementType, T.name);
      assert.ok([...S.data].every((x: number | bigint) => x === 0 || x === 0n));
    } finally {
      S.close();
    }
  }
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('create: one process alone is its own worker (pids, indexpids, localindexes)', async () => {
  const S = await SharedArray.create(Float64Array, 10);
  try {
    assert.deepEqual(S.pids, [1]);
    assert.deepEqual(procs(S), [1], 'procs(S): the processes that map S');
    assert.deepEqual(procs(), [1], 'procs(): the cluster');
    assert.equal(indexpids(S), 1);
    assert.equal(S.indexpid(), 1);
    assert.equal(localindexes(S).toString(), '0:10');
    assert.equal(sdata(S), S.data);
  } finally {
    S.close();
  }
});

test('column-major get/set/index over the flat typed array', async () => {
  const S = await SharedArray.create(Int32Array, [2, 3]);
  try {
    S.set(1, 2, 7);
    assert.equal(S.index(1, 2), 5);
    assert.equal(S.data[5], 7);
    assert.equal(S.get(1, 2), 7);
    S.set(4, -1);
    assert.equal(S.get(0, 2), -1);
    assert.throws(() => S.get(2, 0), RangeError);
    assert.throws(() => S.set(0, 3, 1), RangeError);
    const B = await SharedArray.create(BigInt64Array, [2, 2]);
    B.set(1, 1, -5n);
    assert.equal(B.get(1, 1), -5n);
    B.close();
  } finally {
    S.close();
  }
});

test('zero-length and zero-dimensional arrays', async () => {
  const E = await SharedArray.create(Float64Array, [0, 4]);
  assert.equal(E.length, 0);
  assert.equal(E.data.length, 0);
  assert.equal(E.localindexes().length, 0);
  E.close();
  const Z = await SharedArray.create(Float64Array, []);
  assert.equal(Z.length, 1, 'a zero-dimensional array holds one element, as in Julia');
  Z.close();
});

test('init runs here over localindexes, and create resolves after it', async () => {
  const S = await SharedArray.create(Float64Array, [4, 4], {
    init: async (A) => {
      await new Promise((r) => setTimeout(r, 10));
      for (const i of A.localindexes()) A.data[i] = i * 2;
    },
  });
  try {
    assert.deepEqual([...S.data], Array.from({ length: 16 }, (_, i) => i * 2));
  } finally {
    S.close();
  }
});

test('an init error rejects create and frees the segment', async () => {
  await assert.rejects(
    SharedArray.create(Float64Array, 100, {
      init: () => {
        throw new Error('init failed on purpose');
      },
    }),
    { message: 'init failed on purpose' },
  );
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('use after close is a clear error, never a crash; close is idempotent', async () => {
  const S = await SharedArray.create(Float64Array, 8);
  const view = S.data;
  view[0] = 1;
  S.close();
  S.close();
  assert.equal(S.closed, true);
  assert.throws(() => S.data, { name: 'InvalidStateException', message: /is closed on this process/ });
  assert.throws(() => S.get(0), InvalidStateException);
  assert.throws(() => S.set(0, 1), InvalidStateException);
  assert.throws(() => S.flush(), InvalidStateException);
  assert.equal(view.length, 0, 'an old view is detached: length 0');
  assert.equal(view[0], undefined);
});

test('bad inputs: dims, T, options, init, pids', async () => {
  await assert.rejects(SharedArray.create(Float64Array, -1), { name: 'RangeError', message: /dims\[0\]/ });
  await assert.rejects(SharedArray.create(Float64Array, [2, 2.5]), { name: 'RangeError', message: /dims\[1\]/ });
  await assert.rejects(SharedArray.create(Float64Array, [Infinity]), RangeError);
  await assert.rejects(SharedArray.create(Array as never, 3), { name: 'TypeError', message: /T must be a typed-array constructor/ });
  await assert.rejects(SharedArray.create(DataView as never, 3), TypeError);
  await assert.rejects(SharedArray.create(Float64Array, 3, { nit: 1 } as never), { name: 'TypeError', message: /unknown option 'nit'/ });
  await assert.rejects(SharedArray.create(Float64Array, 3, { init: 5 as never }), { name: 'TypeError', message: /init must be a function/ });
  await assert.rejects(SharedArray.create(Float64Array, 3, { pids: [] }), { name: 'TypeError', message: /pids/ });
  await assert.rejects(SharedArray.create(Float64Array, 3, { pids: [1, 1] }), { name: 'RangeError', message: /listed twice/ });
  await assert.rejects(SharedArray.create(Float64Array, 3, { pids: [7] }), { name: 'RangeError', message: /unknown process id 7/ });
  await assert.rejects(SharedArray.create(Float64Array, 3, { pids: [0.5] }), { name: 'RangeError', message: /not a process id/ });
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('a full /dev/shm is ENOSPC at creation, not a SIGBUS later', async () => {
  // Far more than this machine's /dev/shm holds: posix_fallocate refuses it now.
  await assert.rejects(SharedArray.create(Uint8Array, 2 ** 46), (e: NodeJS.ErrnoException) => {
    assert.ok(e.code === 'ENOSPC' || e.code === 'EFBIG' || e.code === 'ENOMEM', String(e));
    return true;
  });
  assert.deepEqual(segmentsOf(process.pid), []);
});

test('a SharedArray collected on its creator releases its segment', () => {
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shared-array-collect.js');
  const r = spawnSync(process.execPath, ['--expose-gc', fixture], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { name: string; before: boolean; after: boolean };
  assert.equal(out.before, true, 'keepLinked kept the name while S lived');
  assert.equal(out.after, false, 'collected: unlinked');
});

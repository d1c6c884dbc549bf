// The README's SharedArray and SharedChannel examples, run on real workers (sizes
// shrunk): a matrix filled by init and reduced by parallelFor, a file processed
// window by window, and a channel drained with for await.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addprocs, parallelFor, remotecall, rmprocs, SharedArray, SharedChannel, workers } from 'loom';

before(async () => {
  await addprocs(2);
});
after(async () => {
  await rmprocs(...workers().filter((p) => p !== 1));
});

test('a shared matrix filled by init and reduced by parallelFor', async () => {
  const S = await SharedArray.create(Float64Array, [300, 300], {
    init: (A) => {
      const [rows] = A.dims as [number];
      for (const k of A.localindexes()) {
        const i = k % rows, j = Math.floor(k / rows);
        A.data[k] = i === j ? 2 : 1 / (1 + i + j);
      }
    },
  });
  try {
    assert.equal(S.get(3, 3), 2);
    assert.equal(S.get(1, 2), 1 / 4);
    S.set(0, 1, 0.5);
    const trace = await parallelFor(300, (i: number, A: SharedArray<Float64Array>) => A.get(i, i), {
      reducer: (a: number, b: number) => a + b,
      args: [S],
    });
    assert.equal(trace, 600);
  } finally {
    S.close();
  }
});

test('a file processed in windows, each a SharedArray at its own offset', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-readme-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'samples.f64');
  const data = new Float64Array(250_003).map((_, i) => i % 7);
  writeFileSync(file, data);
  const total = statSync(file).size / 8;
  const window = 40_000;
  let sum = 0;
  for (let start = 0; start < total; start += window) {
    const n = Math.min(window, total - start);
    const W = await SharedArray.fromFile(file, Float64Array, n, { offset: start * 8, mode: 'r' });
    const parts = await parallelFor(2, (_: number, A: SharedArray<Float64Array>) => {
      let s = 0;
      for (const i of A.localindexes()) s += A.data[i]!;
      return s;
    }, { reducer: (a: number, b: number) => a + b, args: [W] });
    sum += parts;
    W.close();
  }
  assert.equal(sum, data.reduce((a, b) => a + b, 0));
});

test('a SharedChannel filled by a worker and drained with for await', async () => {
  const ch = await SharedChannel.create<Float64Array>(64, { slotSize: 8192 });
  try {
    remotecall(2, async (c: SharedChannel<Float64Array>) => {
      for (let i = 0; i < 1000; i++) await c.put(new Float64Array([i, i * i]));
      c.close();
    }, ch);
    let n = 0;
    let last = -1;
    for await (const v of ch) {
      n++;
      last = v[1]!;
    }
    assert.deepEqual([n, last], [1000, 999 * 999]);
  } finally {
    ch.release();
  }
});

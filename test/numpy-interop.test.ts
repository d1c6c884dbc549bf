// A real outside client: NumPy (Debian's python3-numpy under /usr/bin/python3)
// reads a file written through SharedArray.fromFile with np.memmap(order='F') at
// the same offset, writes one that loom reads back, and attaches a live segment
// made by SharedArray.create through multiprocessing.shared_memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SharedArray } from 'loom';
import { segmentsOf } from './fixtures/shared-leaks.js';

const python = '/usr/bin/python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const skip = hasNumpy ? false : `${python} has no numpy (apt-get install python3-numpy; .ci/run does)`;

function py(source: string, ...args: string[]): string {
  const r = spawnSync(python, ['-c', source, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  return r.stdout.trim();
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-numpy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('loom writes a 2-D column-major array at an offset; np.memmap(order=F) reads the same elements', { skip }, async (t) => {
  const file = path.join(tempDir(t), 'loom-written.bin');
  const [rows, cols, offset] = [5, 7, 24];
  const S = await SharedArray.fromFile(file, Float64Array, [rows, cols], { offset, mode: 'w+' });
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) S.set(i, j, i * 100 + j + 0.25);
  S.close();
  const out = py(
    `import sys, json, numpy as np
a = np.memmap(sys.argv[1], dtype='<f8', mode='r', offset=int(sys.argv[2]), shape=(int(sys.argv[3]), int(sys.argv[4])), order='F')
print(json.dumps(a.tolist()))`,
    file, String(offset), String(rows), String(cols),
  );
  const a = JSON.parse(out) as number[][];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) assert.equal(a[i]![j], i * 100 + j + 0.25, `element (${i}, ${j})`);
});

test('NumPy writes a 2-D Fortran-order memmap at an offset; loom reads the same elements', { skip }, async (t) => {
  const file = path.join(tempDir(t), 'numpy-written.bin');
  const [rows, cols, offset] = [4, 6, 13];
  py(
    `import sys, numpy as np
rows, cols, off = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(sys.argv[1], 'wb') as f: f.write(b'x' * off)
a = np.memmap(sys.argv[1], dtype='<i4', mode='r+', offset=off, shape=(rows, cols), order='F')
for i in range(rows):
    for j in range(cols): a[i, j] = i * 1000 - j
a.flush()`,
    file, String(rows), String(cols), String(offset),
  );
  const S = await SharedArray.fromFile(file, Int32Array, [rows, cols], { offset, mode: 'r' });
  try {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) assert.equal(S.get(i, j), i * 1000 - j, `element (${i}, ${j})`);
  } finally {
    S.close();
  }
});

test('a live segment of SharedArray.create attaches from multiprocessing.shared_memory by name', { skip }, async () => {
  // keepLinked leaves the name in /dev/shm while S lives, for processes outside loom.
  const S = await SharedArray.create(Float64Array, [3, 4], { keepLinked: true });
  try {
    for (let i = 0; i < S.length; i++) S.data[i] = i / 4;
    const name = S.segmentName!;
    assert.match(name, new RegExp(`^loom-${process.pid}-[0-9a-f]+$`));
    const out = py(
      `import sys, json, numpy as np
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name=sys.argv[1])
# Python 3.11 has no track=False: stop its resource_tracker from unlinking loom's segment at exit.
resource_tracker.unregister(shm._name, 'shared_memory')
a = np.ndarray((3, 4), dtype='<f8', buffer=shm.buf, order='F')
seen = a.tolist()
a[2, 3] = -7.5
del a
shm.close()
print(json.dumps(seen))`,
      name,
    );
    const seen = JSON.parse(out) as number[][];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.equal(seen[i]![j], (i + 3 * j) / 4, `element (${i}, ${j})`);
    assert.equal(S.get(2, 3), -7.5, "Python's write is seen by loom");
    assert.deepEqual(segmentsOf(process.pid), [name], 'still linked: Python did not unlink it');
  } finally {
    S.close();
  }
  assert.deepEqual(segmentsOf(process.pid), [], 'close on the creator unlinked it');
});

// SharedArray.fromFile on one process: the seed's modes, byte offsets, growth,
// persistence after close (read back with fs), and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SharedArray } from 'loom';
import { fileBytes } from './fixtures/shared-leaks.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-sa-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("w+ (default for a new file) creates it; writes persist after close; the file is never deleted", async (t) => {
  const file = path.join(tempDir(t), 'new.bin');
  const S = await SharedArray.fromFile(file, Float64Array, [2, 3]);
  assert.equal(S.mode, 'w+');
  assert.equal(S.backing, 'file');
  assert.equal(S.filename, file);
  S.set(1, 2, 6.5);
  S.data[0] = -1;
  S.flush();
  S.close();
  assert.ok(existsSync(file));
  const back = new Float64Array(fileBytes(file, 0));
  assert.equal(back.length, 6);
  assert.equal(back[5], 6.5);
  assert.equal(back[0], -1);
});

test('r+ (default for an existing file) maps what is there, at any byte offset, and writes through', async (t) => {
  const file = path.join(tempDir(t), 'existing.bin');
  const header = Buffer.from('HDR:'); // 4 bytes: an offset that is not a multiple of 8
  const body = Buffer.alloc(4 * 4);
  for (let i = 0; i < 4; i++) body.writeInt32LE(i * 10, i * 4);
  writeFileSync(file, Buffer.concat([header, body]));
  const S = await SharedArray.fromFile(file, Int32Array, 4, { offset: 4 });
  assert.equal(S.mode, 'r+');
  assert.deepEqual([...S.data], [0, 10, 20, 30]);
  S.data[3] = 99;
  S.close();
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 4).toString(), 'HDR:', 'the bytes before the offset are untouched');
  assert.equal(bytes.readInt32LE(4 + 12), 99);
});

test('r+ and a+ grow a short file; a+ keeps what was there; w+ truncates it first', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'grow.bin');
  writeFileSync(file, Buffer.from([1, 2, 3]));
  const A = await SharedArray.fromFile(file, Uint8Array, 8, { mode: 'a+', offset: 2 });
  assert.equal(statSync(file).size, 10);
  assert.deepEqual([...A.data], [3, 0, 0, 0, 0, 0, 0, 0]);
  A.close();
  const R = await SharedArray.fromFile(file, Uint8Array, 20, { mode: 'r+' });
  assert.equal(statSync(file).size, 20);
  assert.deepEqual([...R.data.subarray(0, 3)], [1, 2, 3]);
  R.close();
  const W = await SharedArray.fromFile(file, Uint8Array, 4, { mode: 'w+', offset: 1 });
  assert.equal(statSync(file).size, 5);
  assert.deepEqual([...W.data], [0, 0, 0, 0], 'w+ truncated the old contents');
  W.close();
});

test("r maps read-only: contents are there, writes never reach the file", async (t) => {
  const file = path.join(tempDir(t), 'ro.bin');
  writeFileSync(file, Buffer.from(new Float32Array([1.5, 2.5, 3.5]).buffer));
  const S = await SharedArray.fromFile(file, Float32Array, 3, { mode: 'r' });
  assert.deepEqual([...S.data], [1.5, 2.5, 3.5]);
  S.data[0] = 100; // a private copy-on-write page: this process only
  S.close();
  assert.equal(new Float32Array(fileBytes(file, 0))[0], 1.5);
});

test('a relative filename resolves against the caller working directory', async (t) => {
  const dir = tempDir(t);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const S = await SharedArray.fromFile('rel.bin', Int16Array, 3);
    assert.equal(S.filename, path.join(dir, 'rel.bin'));
    S.close();
  } finally {
    process.chdir(cwd);
  }
  assert.ok(existsSync(path.join(dir, 'rel.bin')));
});

test('init runs over the file and lands in it', async (t) => {
  const file = path.join(tempDir(t), 'init.bin');
  const S = await SharedArray.fromFile(file, Int32Array, 5, {
    init: (A) => {
      for (const i of A.localindexes()) A.data[i] = i + 1;
    },
  });
  S.close();
  assert.deepEqual([...new Int32Array(fileBytes(file, 0))], [1, 2, 3, 4, 5]);
});

test('errors: bad mode, a too-short file for r, a missing file for r or r+, init with r, bad offset', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'short.bin');
  writeFileSync(file, Buffer.alloc(10));
  await assert.rejects(SharedArray.fromFile(file, Uint8Array, 4, { mode: 'w' as never }), { name: 'RangeError', message: /mode must be one of 'r', 'r\+', 'w\+', 'a\+'/ });
  await assert.rejects(SharedArray.fromFile(file, Float64Array, 2, { mode: 'r' }), {
    name: 'RangeError',
    message: /holds 10 bytes, too few for Float64Array\[2\] at offset 0 \(16 bytes needed\); mode 'r' cannot grow it/,
  });
  await assert.rejects(SharedArray.fromFile(file, Uint8Array, 4, { mode: 'r', offset: 8 }), RangeError);
  await assert.rejects(SharedArray.fromFile(path.join(dir, 'none.bin'), Uint8Array, 4, { mode: 'r' }), { code: 'ENOENT' });
  await assert.rejects(SharedArray.fromFile(path.join(dir, 'none.bin'), Uint8Array, 4, { mode: 'r+' }), { code: 'ENOENT' });
  await assert.rejects(SharedArray.fromFile(file, Uint8Array, 4, { mode: 'r', init: () => {} }), {
    name: 'TypeError',
    message: /init cannot be given with mode 'r'/,
  });
  await assert.rejects(SharedArray.fromFile(file, Uint8Array, 4, { offset: -3 }), { name: 'RangeError', message: /offset/ });
  await assert.rejects(SharedArray.fromFile(file, Uint8Array, -4), RangeError);
  await assert.rejects(SharedArray.fromFile(file, Map as never, 4), TypeError);
  await assert.rejects(SharedArray.fromFile('', Uint8Array, 4), TypeError);
  assert.equal(statSync(file).size, 10, 'no failed call changed the file');
});

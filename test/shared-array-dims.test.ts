// dims validation, the element-type table, column-major index arithmetic and the
// seed's localindexes partition: the parts of SharedArray that need no process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnMajorStrides, elementCount, linearIndex, normalizeDims } from '../lib/shared/dims.js';
import { elementConstructor, elementTypeName, elementTypeNames } from '../lib/shared/element-types.js';
import { indexOfPid, indexWorkers, partitionRange } from '../lib/shared/local-indexes.js';
import { attachMode, resolveFileMode, resolveFilename, validateOffset } from '../lib/shared/file-mode.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

test('dims: a number or a tuple of non-negative integers, zero allowed', () => {
  assert.deepEqual(normalizeDims(5), [5]);
  assert.deepEqual(normalizeDims([3, 4]), [3, 4]);
  assert.deepEqual(normalizeDims([0, 7]), [0, 7]);
  assert.deepEqual(normalizeDims([]), []);
  assert.equal(elementCount([]), 1);
  assert.equal(elementCount([0, 7]), 0);
  assert.ok(Object.isFrozen(normalizeDims([2, 2])));
});

test('dims: negative, fractional, non-finite dims are RangeErrors naming the dim', () => {
  assert.throws(() => normalizeDims(-1), { name: 'RangeError', message: /dims\[0\] must be a non-negative integer, got -1/ });
  assert.throws(() => normalizeDims([2, 1.5]), { name: 'RangeError', message: /dims\[1\].*1\.5/ });
  assert.throws(() => normalizeDims([NaN]), RangeError);
  assert.throws(() => normalizeDims([Infinity]), RangeError);
  assert.throws(() => normalizeDims([2 ** 40, 2 ** 40]), { name: 'RangeError', message: /too many elements/ });
  assert.throws(() => normalizeDims('3' as unknown), TypeError);
  assert.throws(() => normalizeDims([1, '2'] as unknown), { name: 'TypeError', message: /dims\[1\] must be a number/ });
});

test('column-major: the first index varies fastest, as in Julia and NumPy order=F', () => {
  const dims = [3, 4, 2];
  const strides = columnMajorStrides(dims);
  assert.deepEqual(strides, [1, 3, 12]);
  assert.equal(linearIndex(dims, strides, [0, 0, 0]), 0);
  assert.equal(linearIndex(dims, strides, [1, 0, 0]), 1);
  assert.equal(linearIndex(dims, strides, [0, 1, 0]), 3);
  assert.equal(linearIndex(dims, strides, [2, 3, 1]), 23);
  assert.equal(linearIndex(dims, strides, [17]), 17, 'one index is a linear index');
  assert.throws(() => linearIndex(dims, strides, [3, 0, 0]), { name: 'RangeError', message: /dimension 0/ });
  assert.throws(() => linearIndex(dims, strides, [0, 0]), { name: 'RangeError', message: /expected 1 or 3 indices/ });
  assert.throws(() => linearIndex(dims, strides, [24]), RangeError);
  assert.throws(() => linearIndex(dims, strides, [0.5]), RangeError);
});

test('element types: every typed-array constructor, by identity or by name across realms', () => {
  const all = [Float64Array, Float32Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array, BigInt64Array, BigUint64Array];
  assert.deepEqual(all.map((T) => elementTypeName(T)), all.map((T) => T.name));
  assert.equal(elementTypeNames.length, 11);
  for (const T of all) assert.equal(elementConstructor(T.name), T);
  const otherRealm = vm.runInNewContext('Float32Array') as unknown;
  assert.notEqual(otherRealm, Float32Array);
  assert.equal(elementTypeName(otherRealm), 'Float32Array');
});

test('element types: anything else is a TypeError that lists the accepted ones', () => {
  for (const bad of [Array, DataView, ArrayBuffer, 'Float64Array', 8, undefined, class Float64Array {}]) {
    assert.throws(() => elementTypeName(bad), { name: 'TypeError', message: /T must be a typed-array constructor \(Float64Array, .*BigUint64Array\)/ });
  }
});

test("localindexes: the seed's partition of [0, length) among the workers", () => {
  const parts = (length: number, n: number) => Array.from({ length: n }, (_, k) => partitionRange(length, n, k + 1).toString());
  assert.deepEqual(parts(10, 3), ['0:3', '3:6', '6:10'], 'the last block takes the remainder (range_1dim)');
  assert.deepEqual(parts(12, 4), ['0:3', '3:6', '6:9', '9:12']);
  assert.deepEqual(parts(2, 3), ['0:1', '1:2', '0:0'], 'fewer elements than workers: one each, then empty');
  assert.deepEqual(parts(0, 2), ['0:0', '0:0']);
  assert.equal(partitionRange(10, 3, 0).length, 0, 'position 0 (not a worker) gets an empty range');
  const covered = new Set<number>();
  for (let k = 1; k <= 7; k++) for (const i of partitionRange(100, 7, k)) covered.add(i);
  assert.equal(covered.size, 100);
});

test('indexpids: workers exclude the master unless it is alone; 1-based, 0 elsewhere', () => {
  assert.deepEqual(indexWorkers([1]), [1]);
  assert.deepEqual(indexWorkers([1, 2, 3]), [2, 3]);
  assert.deepEqual(indexWorkers([2, 3]), [2, 3]);
  assert.equal(indexOfPid(indexWorkers([1, 2, 3]), 1), 0);
  assert.equal(indexOfPid(indexWorkers([1, 2, 3]), 3), 2);
  assert.equal(indexOfPid(indexWorkers([1]), 1), 1);
  assert.equal(indexOfPid(indexWorkers([2, 3]), 4), 0);
});

test("file modes: default r+ when the file exists, else w+; others only ever attach without truncating", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-modes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const existing = path.join(dir, 'a.bin');
  writeFileSync(existing, 'x');
  assert.equal(resolveFileMode(undefined, existing), 'r+');
  assert.equal(resolveFileMode(undefined, path.join(dir, 'missing.bin')), 'w+');
  for (const m of ['r', 'r+', 'w+', 'a+'] as const) assert.equal(resolveFileMode(m, existing), m);
  for (const bad of ['w', 'rw', 'a', '', 3]) {
    assert.throws(() => resolveFileMode(bad, existing), { name: 'RangeError', message: /mode must be one of 'r', 'r\+', 'w\+', 'a\+'/ });
  }
  assert.equal(attachMode('w+'), 'r+');
  assert.equal(attachMode('a+'), 'r+');
  assert.equal(attachMode('r'), 'r');
});

test('filenames resolve against the caller cwd; offsets are non-negative integers', () => {
  assert.equal(resolveFilename('data/x.bin'), path.join(process.cwd(), 'data/x.bin'));
  assert.equal(resolveFilename('/abs/y.bin'), '/abs/y.bin');
  assert.throws(() => resolveFilename(''), TypeError);
  assert.throws(() => resolveFilename(42), TypeError);
  assert.equal(validateOffset(undefined), 0);
  assert.equal(validateOffset(13), 13);
  for (const bad of [-1, 1.5, NaN, '8']) assert.throws(() => validateOffset(bad), { name: 'RangeError', message: /offset must be/ });
});

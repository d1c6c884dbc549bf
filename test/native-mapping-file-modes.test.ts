// File mappings in each of Julia's modes on real files: r, r+, w+, a+, growth,
// the too-short error of r, offsets that are not page-aligned (written through
// the mapping, read back with fs at that offset), flush, zero-length mappings,
// and the read-only guarantee (a write through an 'r' view neither crashes nor
// reaches the file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapFile, nativeAvailable, type FileMode } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-native-files-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => path.join(dir, name);

function readAt(p: string, offset: number, length: number): Buffer {
  const fd = openSync(p, 'r');
  try {
    const b = Buffer.alloc(length);
    assert.equal(readSync(fd, b, 0, length, offset), length);
    return b;
  } finally {
    closeSync(fd);
  }
}

test("'w+' creates the file, sizes it to offset + length, and writes land at a non-aligned offset", { skip }, () => {
  const p = file('w.bin');
  const m = mapFile(p, 'w+', 5003, 100);
  assert.equal(m.kind, 'file');
  assert.equal(m.name, p);
  assert.equal(m.readonly, false);
  assert.equal(m.byteLength, 100);
  assert.equal(statSync(p).size, 5103);
  new Uint8Array(m.buffer).set([0xde, 0xad, 0xbe, 0xef]);
  new Uint8Array(m.buffer)[99] = 0x7f;
  m.flush();
  assert.deepEqual([...readAt(p, 5003, 4)], [0xde, 0xad, 0xbe, 0xef]);
  assert.equal(readAt(p, 5102, 1)[0], 0x7f);
  assert.equal(readAt(p, 5002, 1)[0], 0);
  m.close();
  // w+ truncates what was there.
  const again = mapFile(p, 'w+', 0, 8);
  assert.equal(statSync(p).size, 8);
  assert.deepEqual([...new Uint8Array(again.buffer)], [0, 0, 0, 0, 0, 0, 0, 0]);
  again.close();
});

test("'r+' needs an existing file (ENOENT with syscall and path), keeps contents and grows", { skip }, () => {
  const p = file('rplus.bin');
  assert.throws(() => mapFile(p, 'r+', 0, 10), { code: 'ENOENT', syscall: 'open', path: p, message: `ENOENT: no such file or directory, open '${p}'` });
  writeFileSync(p, 'hello world');
  const m = mapFile(p, 'r+', 6, 4096 * 3 + 1);
  assert.equal(statSync(p).size, 6 + 4096 * 3 + 1);
  assert.equal(Buffer.from(m.buffer, 0, 5).toString(), 'world');
  const tail = new Uint8Array(m.buffer);
  tail[tail.length - 1] = 0x41;
  m.flush();
  assert.equal(readAt(p, 6 + 4096 * 3, 1)[0], 0x41);
  assert.equal(readFileSync(p).subarray(0, 11).toString(), 'hello world');
  m.close();
});

test("'a+' creates a missing file, keeps an existing one's contents and grows it", { skip }, () => {
  const p = file('aplus.bin');
  const created = mapFile(p, 'a+', 10, 10);
  assert.equal(statSync(p).size, 20);
  new Uint8Array(created.buffer)[0] = 1;
  created.close();
  const grown = mapFile(p, 'a+', 4095, 8192);
  assert.equal(statSync(p).size, 4095 + 8192);
  assert.equal(readAt(p, 10, 1)[0], 1);
  new Uint8Array(grown.buffer)[1] = 9;
  grown.close();
  assert.equal(readAt(p, 4096, 1)[0], 9);
  const kept = mapFile(p, 'a+', 0, 4);
  assert.equal(statSync(p).size, 4095 + 8192);
  kept.close();
});

test("'r' maps read-only: a short file is ERR_LOOM_FILE_TOO_SHORT with both sizes; a missing one is ENOENT", { skip }, () => {
  const p = file('r.bin');
  assert.throws(() => mapFile(p, 'r', 0, 1), { code: 'ENOENT', syscall: 'open', path: p });
  writeFileSync(p, Buffer.alloc(100, 3));
  assert.throws(() => mapFile(p, 'r', 50, 51), (e: Error & { code?: string; path?: string; needed?: number; actual?: number }) => {
    assert.equal(e.code, 'ERR_LOOM_FILE_TOO_SHORT');
    assert.equal(e.path, p);
    assert.equal(e.needed, 101);
    assert.equal(e.actual, 100);
    assert.match(e.message, /100 bytes long.*needs 101/);
    return true;
  });
  assert.equal(statSync(p).size, 100, "'r' never grows the file");
  const m = mapFile(p, 'r', 99, 1);
  assert.equal(new Uint8Array(m.buffer)[0], 3);
  m.close();
});

test("a write through an 'r' mapping neither crashes nor changes the file (private copy-on-write)", { skip }, () => {
  const p = file('ro.bin');
  writeFileSync(p, Buffer.from('original contents, page one'));
  const before = readFileSync(p);
  const m = mapFile(p, 'r', 9, 8);
  assert.equal(m.readonly, true);
  const v = new Uint8Array(m.buffer);
  assert.equal(Buffer.from(v).toString(), 'contents');
  v.fill(0x58);
  assert.equal(Buffer.from(v).toString(), 'XXXXXXXX', 'this process sees its own write');
  m.flush();
  m.close();
  assert.deepEqual(readFileSync(p), before);
  // A writer elsewhere is still seen by pages this mapping never wrote.
  const ro = mapFile(p, 'r', 0, 4);
  const rw = mapFile(p, 'r+', 0, 4);
  new Uint8Array(rw.buffer)[0] = 0x4f; // 'O'
  assert.equal(new Uint8Array(ro.buffer)[0], 0x4f);
  rw.close();
  ro.close();
});

test('zero-length mappings work in every mode (and w+ still truncates)', { skip }, () => {
  const p = file('zero.bin');
  writeFileSync(p, 'abc');
  for (const mode of ['r', 'r+', 'a+'] as FileMode[]) {
    const m = mapFile(p, mode, 3, 0);
    assert.equal(m.byteLength, 0);
    assert.equal(m.buffer.byteLength, 0);
    m.flush();
    m.close();
    assert.equal(statSync(p).size, 3);
  }
  const w = mapFile(p, 'w+', 0, 0);
  assert.equal(statSync(p).size, 0);
  w.close();
});

test('a directory is EISDIR, relative paths are resolved', { skip }, () => {
  assert.throws(() => mapFile(dir, 'r', 0, 1), { code: 'EISDIR', path: dir });
  const rel = path.relative(process.cwd(), file('rel.bin'));
  const m = mapFile(rel, 'w+', 0, 1);
  assert.equal(m.name, file('rel.bin'));
  m.close();
});

test('bad mode, offset or length are TypeError / RangeError naming the argument', { skip }, () => {
  const p = file('bad.bin');
  assert.throws(() => mapFile(p, 'w' as FileMode, 0, 1), { name: 'TypeError', message: /mode must be one of/ });
  assert.throws(() => mapFile(p, 'w+', -1, 1), { name: 'RangeError', message: /offset must be a non-negative integer/ });
  assert.throws(() => mapFile(p, 'w+', 0.5, 1), { name: 'RangeError', message: /offset/ });
  assert.throws(() => mapFile(p, 'w+', 0, -3), { name: 'RangeError', message: /byteLength/ });
  assert.throws(() => mapFile(p, 'w+', 0, Number.NaN), { name: 'RangeError', message: /byteLength/ });
  assert.throws(() => mapFile('', 'w+', 0, 1), { name: 'TypeError', message: /path/ });
  assert.throws(() => mapFile(p, 'w+', '0' as unknown as number, 1), { name: 'TypeError', message: /offset must be a number/ });
});

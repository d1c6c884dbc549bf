// shm segments through lib/native.ts: create / open / unlink on real
// segments, their errors (code, errno, syscall, path, Node-like message),
// read-only opens, zero-length segments, argument validation, and no
// /dev/shm/loom-<our pid>-* left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, statfsSync } from 'node:fs';
import { nativeAvailable, native, shmCreate, shmName, shmOpen, shmUnlink } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const ours = (): string[] => readdirSync('/dev/shm').filter((f) => f.startsWith(`loom-${process.pid}-`));

test.after(() => {
  for (const f of ours()) shmUnlink(f);
});

test('shmName gives fresh loom-<pid>-<hex> names', { skip }, () => {
  const a = shmName();
  assert.match(a, new RegExp(`^loom-${process.pid}-[0-9a-f]{12}$`));
  assert.notEqual(a, shmName());
  assert.ok(native && typeof native.futexWake === 'function');
});

test('create, write, open elsewhere, see the bytes, unlink', { skip }, () => {
  const name = shmName();
  const a = shmCreate(name, 10000);
  try {
    assert.equal(a.byteLength, 10000);
    assert.equal(a.buffer.byteLength, 10000);
    assert.equal(a.kind, 'shm');
    assert.equal(a.name, name);
    assert.equal(a.readonly, false);
    const st = statSync(`/dev/shm/${name}`);
    assert.equal(st.size, 10000);
    assert.equal(st.mode & 0o777, 0o600);
    new Uint8Array(a.buffer).set([1, 2, 3], 9000);

    const b = shmOpen(name);
    assert.equal(b.byteLength, 10000);
    assert.deepEqual([...new Uint8Array(b.buffer, 9000, 3)], [1, 2, 3]);
    new Uint8Array(b.buffer)[0] = 42;
    assert.equal(new Uint8Array(a.buffer)[0], 42);
    const part = shmOpen(name, 100);
    assert.equal(part.byteLength, 100);
    b.close();
    part.close();
  } finally {
    shmUnlink(name);
    a.close();
  }
  assert.equal(existsSync(`/dev/shm/${name}`), false);
});

test('EEXIST and ENOENT carry code, errno, syscall, path and a Node-like message', { skip }, () => {
  const name = shmName();
  const a = shmCreate(name, 16);
  try {
    assert.throws(() => shmCreate(name, 16), {
      code: 'EEXIST',
      errno: -17,
      syscall: 'shm_open',
      path: name,
      message: `EEXIST: file already exists, shm_open '${name}'`,
    });
  } finally {
    shmUnlink(name);
    a.close();
  }
  assert.throws(() => shmOpen(name), { code: 'ENOENT', errno: -2, syscall: 'shm_open', path: name, message: `ENOENT: no such file or directory, shm_open '${name}'` });
  assert.throws(() => shmUnlink(name), { code: 'ENOENT', syscall: 'shm_unlink', path: name });
});

test('opening more bytes than the segment has is ERR_LOOM_FILE_TOO_SHORT', { skip }, () => {
  const name = shmName();
  const a = shmCreate(name, 100);
  try {
    assert.throws(() => shmOpen(name, 101), { code: 'ERR_LOOM_FILE_TOO_SHORT', path: name, needed: 101, actual: 100 });
  } finally {
    shmUnlink(name);
    a.close();
  }
});

test('a segment larger than /dev/shm fails at creation with ENOSPC and leaves no name behind', { skip }, () => {
  // tmpfs refuses a fallocate larger than the whole filesystem up front, so
  // this never fills /dev/shm for the other processes on the machine.
  const st = statfsSync('/dev/shm');
  const tooBig = st.blocks * st.bsize + 2 ** 30;
  const name = shmName();
  assert.throws(() => shmCreate(name, tooBig), {
    code: 'ENOSPC',
    syscall: 'posix_fallocate',
    path: name,
    message: `ENOSPC: no space left on device, posix_fallocate '${name}'`,
  });
  assert.equal(existsSync(`/dev/shm/${name}`), false);
});

test('a read-only open keeps writes private: no crash, the segment is unchanged', { skip }, () => {
  const name = shmName();
  const a = shmCreate(name, 4096);
  try {
    new Uint8Array(a.buffer)[10] = 5;
    const ro = shmOpen(name, 4096, { readonly: true });
    assert.equal(ro.readonly, true);
    const v = new Uint8Array(ro.buffer);
    assert.equal(v[10], 5);
    v[10] = 99;
    assert.equal(v[10], 99);
    assert.equal(new Uint8Array(a.buffer)[10], 5);
    const again = shmOpen(name);
    assert.equal(new Uint8Array(again.buffer)[10], 5);
    again.close();
    ro.close();
  } finally {
    shmUnlink(name);
    a.close();
  }
});

test('zero-length segments map to a zero-length buffer', { skip }, () => {
  const name = shmName();
  const a = shmCreate(name, 0);
  try {
    assert.equal(a.byteLength, 0);
    assert.equal(a.buffer.byteLength, 0);
    const b = shmOpen(name);
    assert.equal(b.byteLength, 0);
    b.close();
    a.close();
    a.close();
  } finally {
    shmUnlink(name);
  }
});

test('bad arguments are TypeError / RangeError naming the argument', { skip }, () => {
  assert.throws(() => shmCreate('a/b', 1), { name: 'TypeError', message: /name must be/ });
  assert.throws(() => shmCreate('', 1), TypeError);
  assert.throws(() => shmCreate(7 as unknown as string, 1), { name: 'TypeError', message: /name must be a string/ });
  assert.throws(() => shmCreate(shmName(), -1), { name: 'RangeError', message: /byteLength must be a non-negative integer/ });
  assert.throws(() => shmCreate(shmName(), 1.5), { name: 'RangeError', message: /byteLength/ });
  assert.throws(() => shmCreate(shmName(), '8' as unknown as number), { name: 'TypeError', message: /byteLength must be a number/ });
  assert.throws(() => shmOpen(shmName(), 8, { readonly: 'yes' as unknown as boolean }), { name: 'TypeError', message: /readonly/ });
  assert.deepEqual(ours(), []);
});

test('no segment of this process is left in /dev/shm', { skip }, () => {
  assert.deepEqual(ours(), []);
});

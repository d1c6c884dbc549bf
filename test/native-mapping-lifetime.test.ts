// A mapping's life: close() detaches the buffer (views read as length 0, never
// a crash) and unmaps, idempotently; a close during a pending futex wait keeps
// the memory mapped until the wait settles; a mapping nobody references is
// unmapped by its ArrayBuffer's finalizer; create/close cycles leak nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { futexWait, futexWake, mapFile, nativeAvailable, shmCreate, shmName, shmOpen, shmUnlink } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const child = fileURLToPath(new URL('./fixtures/native-child.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-native-lifetime-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const f of readdirSync('/dev/shm').filter((n) => n.startsWith(`loom-${process.pid}-`))) shmUnlink(f);
});
const mapsMentioning = (s: string): number => readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.includes(s)).length;

test('after close, views are length 0 and touching them is harmless', { skip }, () => {
  const p = path.join(dir, 'closed.bin');
  const m = mapFile(p, 'w+', 100, 4096);
  const bytes = new Uint8Array(m.buffer);
  const words = new Int32Array(m.buffer, 8, 4);
  bytes[0] = 1;
  assert.equal(mapsMentioning(p), 1);
  m.close();
  assert.equal(m.closed, true);
  assert.equal(m.buffer.byteLength, 0);
  assert.equal(bytes.length, 0);
  assert.equal(words.length, 0);
  assert.equal(bytes[0], undefined);
  bytes[0] = 5; // ignored: the view is detached
  assert.throws(() => Atomics.load(words, 0), TypeError);
  assert.throws(() => new Uint8Array(m.buffer, 0, 1), TypeError);
  assert.equal(mapsMentioning(p), 0, 'unmapped');
  m.close();
  m.flush();
  assert.equal(readFileSync(p)[100], 1);
});

test('close during a pending async wait defers the unmap until the wait settles', { skip }, async () => {
  const name = shmName();
  const a = shmCreate(name, 4096);
  const b = shmOpen(name);
  try {
    const pending = futexWait(new Int32Array(a.buffer), 0, 0, 10);
    a.close();
    assert.equal(a.buffer.byteLength, 0);
    const other = new Int32Array(b.buffer);
    Atomics.store(other, 0, 1);
    futexWake(other, 0);
    assert.equal(await pending, 'ok');
  } finally {
    shmUnlink(name);
    b.close();
  }
});

test('a mapping nobody references is unmapped when its buffer is collected', { skip }, () => {
  const p = path.join(dir, 'gc.bin');
  mapFile(p, 'w+', 0, 4096).close();
  const r = spawnSync(process.execPath, ['--expose-gc', child, 'gc-unmaps', p], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { before: true, after: false });
});

test('a thousand create/close cycles leave no mapping and no segment behind', { skip }, () => {
  const prefix = `loom-${process.pid}-`;
  const before = mapsMentioning(prefix);
  for (let i = 0; i < 1000; i++) {
    const name = shmName();
    const m = shmCreate(name, 8192);
    new Uint8Array(m.buffer)[8191] = i & 0xff;
    shmUnlink(name);
    m.close();
  }
  assert.equal(mapsMentioning(prefix), before);
  assert.deepEqual(readdirSync('/dev/shm').filter((n) => n.startsWith(prefix)), []);
});

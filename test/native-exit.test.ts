// Process exit with the addon busy: a process that calls process.exit with
// live mappings (shm and file) and pending async waits exits cleanly with its
// code; a pending wait with a timeout keeps the process alive until it
// settles, and a live mapping alone does not keep it alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailable, shmCreate, shmName, shmUnlink, type Mapping } from '../lib/native.js';

const skip = !nativeAvailable && 'the native addon is not loaded';
const child = fileURLToPath(new URL('./fixtures/native-child.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-native-exit-'));
let seg: { name: string; m: Mapping } | undefined;

test.before(() => {
  if (!nativeAvailable) return;
  const name = shmName();
  seg = { name, m: shmCreate(name, 4096) };
});
test.after(() => {
  if (seg) {
    shmUnlink(seg.name);
    seg.m.close();
  }
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(readdirSync('/dev/shm').filter((n) => n.startsWith(`loom-${process.pid}-`)), []);
});

test('process.exit with live mappings and pending waits exits cleanly', { skip }, () => {
  const file = path.join(dir, 'live.bin');
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [child, 'exit-live', seg!.name, file], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), { pending: 3 });
    // what it wrote through its mapping reached the file
    const bytes = readFileSync(file);
    assert.equal(bytes.length, 123 + 5000);
    assert.equal(bytes[123], 7);
    assert.equal(bytes[122], 0);
  }
});

test('a pending wait keeps the process alive until it settles; a live mapping alone does not', { skip }, () => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [child, 'exit-natural', seg!.name], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { result: string; ms: number; length: number };
  assert.equal(out.result, 'timed-out');
  assert.ok(out.ms >= 190, `waited ${out.ms} ms`);
  assert.equal(out.length, 1024);
  assert.ok(performance.now() - t0 < 20000);
});

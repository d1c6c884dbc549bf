// The pure-TS fallback: a broken addon (LOOM_ADDON_PATH at a file that is not
// one, or an addon of another ABI version) makes `import 'loom'` warn once and
// run on; LOOM_NATIVE=0 does so silently. Futex calls on a SharedArrayBuffer
// keep working (Atomics); mapping calls throw ERR_LOOM_NO_NATIVE naming why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-native-fallback-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const nativeJs = new URL('../lib/native.js', import.meta.url).href;

// Runs in a fresh process: imports loom twice over (the barrel and lib/native.js) and exercises the fallback.
const probe = `
import * as loom from 'loom';
import * as n from '${nativeJs}';
const out = { available: loom.nativeAvailable, native: n.native === undefined ? 'undefined' : 'object',
  loadError: n.nativeLoadError?.message ?? null };
const sab = new Int32Array(new SharedArrayBuffer(16));
out.syncTimeout = n.futexWaitSync(sab, 0, 0, 0.01);
out.syncNotEqual = n.futexWaitSync(sab, 0, 1);
const p = n.futexWait(sab, 1, 0, 5);
out.woke = n.futexWake(sab, 1);
out.async = await p;
out.asyncTimeout = await n.futexWait(sab, 1, 0, 0.01);
for (const [what, f] of [['mapFile', () => n.mapFile('${path.join(dir, 'x.bin')}', 'w+', 0, 8)],
                         ['shmCreate', () => n.shmCreate(n.shmName(), 8)],
                         ['futexWake', () => n.futexWake(new Int32Array(4), 0)]]) {
  try { f(); out[what] = 'no error'; } catch (e) { out[what] = { code: e.code, message: e.message }; }
}
out.name = n.shmName();
console.log(JSON.stringify(out));
`;

function run(env: Record<string, string>): { out: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    env: { ...process.env, LOOM_NATIVE: '', LOOM_ADDON_PATH: '', ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

function checkFallback(out: Record<string, unknown>): void {
  assert.equal(out.available, false);
  assert.equal(out.native, 'undefined');
  assert.equal(out.syncTimeout, 'timed-out');
  assert.equal(out.syncNotEqual, 'not-equal');
  assert.equal(out.woke, 1);
  assert.equal(out.async, 'ok');
  assert.equal(out.asyncTimeout, 'timed-out');
  for (const what of ['mapFile', 'shmCreate', 'futexWake']) {
    const e = out[what] as { code: string; message: string };
    assert.equal(e.code, 'ERR_LOOM_NO_NATIVE', what);
    assert.match(e.message, /needs loom's native addon/);
  }
  assert.match(out.name as string, /^loom-\d+-[0-9a-f]{12}$/);
}

test('a broken addon file: one warning, nativeAvailable false, the fallback works', () => {
  const broken = path.join(dir, 'broken.node');
  writeFileSync(broken, 'this is not a shared object');
  const { out, stderr } = run({ LOOM_ADDON_PATH: broken });
  checkFallback(out);
  assert.match(out.loadError as string, /broken\.node/);
  assert.equal(stderr.match(/LOOM_NO_NATIVE/g)?.length, 1, stderr);
  assert.match(stderr, /the native addon could not be loaded .*using the pure-TS fallback/);
  assert.match((out.mapFile as { message: string }).message, /failed to load/);
});

test('an addon of another ABI version is refused the same way', () => {
  const old = path.join(dir, 'old-addon.cjs');
  writeFileSync(old, 'module.exports = { abiVersion: 1 };');
  const { out, stderr } = run({ LOOM_ADDON_PATH: old });
  checkFallback(out);
  assert.match(out.loadError as string, /ABI version 1.*expects 2/);
  assert.equal(stderr.match(/LOOM_NO_NATIVE/g)?.length, 1, stderr);
});

test('LOOM_NATIVE=0 takes the fallback silently and says so in errors', () => {
  const { out, stderr } = run({ LOOM_NATIVE: '0' });
  checkFallback(out);
  assert.equal(out.loadError, null);
  assert.equal(stderr, '');
  assert.match((out.shmCreate as { message: string }).message, /LOOM_NATIVE=0/);
});

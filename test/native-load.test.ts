import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as loom from 'loom';

test('the addon is loaded when it was built', () => {
  assert.equal(typeof loom.nativeAvailable, 'boolean');
  if (process.env.LOOM_NATIVE !== '0') assert.equal(loom.nativeAvailable, true, String(loom.nativeLoadError));
});

test('LOOM_NATIVE=0 forces the pure-TS path without a warning', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import * as l from 'loom'; console.log(l.nativeAvailable)"], {
    env: { ...process.env, LOOM_NATIVE: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false');
  assert.equal(r.stderr, '');
});

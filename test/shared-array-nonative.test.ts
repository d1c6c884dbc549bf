// Without the addon (LOOM_NATIVE=0): one process alone still gets shared memory
// (a SharedArrayBuffer) and a channel on the TS twin of the ring; anything that
// needs several processes or a file says that it needs the addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shared-nonative.js');

test('LOOM_NATIVE=0: SharedArrayBuffer alone, clear errors for files and for other processes', () => {
  const r = spawnSync(process.execPath, [fixture], { env: { ...process.env, LOOM_NATIVE: '0' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(out.nativeAvailable, false);
  assert.deepEqual(out.alone, { backing: 'local', sab: true, data: [0, 1, 2, 3, 4, 5] });
  assert.match(out.afterClose as string, /is closed on this process/);
  assert.match(out.fromFile as string, /SharedArray\.fromFile \(mapping a file\) needs loom's native addon \(LOOM_NATIVE=0 turned it off\)/);
  assert.deepEqual(out.channel, { impl: 'ts', value: 5 });
  assert.match(out.withWorker as string, /SharedArray\.create with pids \[1, 2\] .*needs loom's native addon/);
  assert.match(out.channelWithWorker as string, /SharedChannel\.create with pids \[1, 2\] .*needs loom's native addon/);
  assert.equal(out.pidsOne, 'local');
});

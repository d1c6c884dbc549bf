// A worker killed with SIGKILL: process 1 drops it from workers(), its pending
// requests fail with ProcessExitedException, later sends throw it, onProcessExit
// runs, and the other workers hear of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, ProcessExitedException, rmprocs, workers } from 'loom';
import { onProcessExit, send } from '../lib/cluster/index.js';
import { echoFixture, evalOn, info, relay } from './fixtures/cluster-client.js';

test('a SIGKILLed worker is removed and everything pending on it fails with ProcessExitedException', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...workers().filter((p) => p !== 1)));
  const [a, b] = ids as [number, number];
  const { ospid } = await info(a);
  const exits: number[] = [];
  const off = onProcessExit((pid) => exits.push(pid));
  t.after(off);
  // Make worker b connect to a first, so that b has a connection to lose too.
  assert.equal(await relay(b, a, 'x'), 'x');

  const pending = evalOn(a, () => new Promise(() => undefined));
  await new Promise((r) => setTimeout(r, 100));
  process.kill(ospid, 'SIGKILL');
  await assert.rejects(pending, (e: unknown) => e instanceof ProcessExitedException && e.pid === a);
  assert.deepEqual(workers(), [b]);
  assert.deepEqual(exits, [a]);
  assert.throws(() => send(a, { type: 'test.echo', id: 0, value: 1 }), (e: unknown) => e instanceof ProcessExitedException && e.pid === a);
  assert.throws(() => send(99, { type: 'x' }), { name: 'RangeError', message: 'unknown process id 99' });
  // The other worker knows a is gone: its send fails at once with ProcessExitedException.
  await assert.rejects(relay(b, a, 'y'), (e: unknown) => e instanceof ProcessExitedException && e.pid === a);
  assert.deepEqual((await info(b)).workers, [b]);
});

// SSHManager against a real sshd on loopback (started and stopped by this
// test): workers over ssh, direct and through `ssh -L` tunnels, `count: 'auto'`,
// worker-to-worker traffic, interrupt over ssh, and removal leaving nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { addprocs, interrupt, InterruptException, rmprocs, SSHManager, workers } from 'loom';
import { managedWorker } from '../lib/cluster/addprocs.js';
import { alive, echo, echoFixture, info, relay, spin } from './fixtures/cluster-client.js';
import { sshdUnavailable, startSshd, type TestSshd } from './fixtures/cluster-sshd.js';

const skip = sshdUnavailable();
const removeAll = () => rmprocs(...workers().filter((p) => p !== 1), { waitfor: 10 });

async function withSshd(t: { after(fn: () => unknown): void }): Promise<TestSshd> {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  return sshd;
}

test('workers over ssh: remote work, worker to worker, interrupt, removal', { skip }, async (t) => {
  const sshd = await withSshd(t);
  t.after(removeAll);
  const ids = await addprocs([[sshd.machine, 2]], { sshflags: sshd.sshflags, exeflags: ['--import', echoFixture] });
  assert.equal(ids.length, 2);
  const [a, b] = ids as [number, number];
  const cfg = managedWorker(a)!.config;
  assert.equal(cfg.host, '127.0.0.1');
  assert.equal(cfg.tunnel, false);
  assert.equal(await echo(a, 'over ssh'), 'over ssh');
  assert.equal(await relay(a, b, 'a to b'), 'a to b');
  const { ospid } = await info(b);
  assert.equal(cfg.process!.pid === ospid, false, 'the config process is the ssh client, not the worker');

  // Settled into a value at once: the rejection may come before interrupt() returns.
  const busy = spin(b);
  await busy.started;
  await new Promise((r) => setTimeout(r, 50));
  await interrupt(b);
  assert.ok((await busy.done) instanceof InterruptException);
  assert.equal(await echo(b, 'still here'), 'still here');

  const ospids = await Promise.all(ids.map(async (id) => (await info(id)).ospid));
  assert.equal(await rmprocs(ids), 'ok');
  const end = Date.now() + 5000;
  while (ospids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ospids.filter(alive), []);
});

test("tunnel: true reaches the workers through ssh -L, and count 'auto' starts one per core", { skip }, async (t) => {
  const sshd = await withSshd(t);
  t.after(removeAll);
  const ids = await addprocs([[sshd.machine, 'auto']], { sshflags: sshd.sshflags, tunnel: true, exeflags: ['--import', echoFixture] });
  assert.equal(ids.length, os.availableParallelism(), 'one per core of the (loopback) machine');
  for (const id of ids) {
    const cfg = managedWorker(id)!.config;
    assert.equal(cfg.tunnel, true);
    assert.notEqual(cfg.port, cfg.announced!.port, 'process 1 dials the forwarded local port, not the worker port');
    assert.equal(await echo(id, id), id);
  }
  if (ids.length > 1) assert.equal(await relay(ids[0]!, ids[1]!, 'peer'), 'peer');
  assert.equal(await rmprocs(ids), 'ok');
});

test('an unreachable machine makes addprocs reject with what ssh said', { skip }, async (t) => {
  const sshd = await withSshd(t);
  await assert.rejects(
    addprocs([`nobody-here@127.0.0.1:${sshd.port}`], { sshflags: sshd.sshflags }),
    /cannot start a worker on nobody-here@127\.0\.0\.1 over ssh/,
  );
  assert.deepEqual(workers(), [1]);
});

test('machine specs are validated', () => {
  assert.throws(() => new SSHManager([]), TypeError);
  assert.throws(() => new SSHManager(['host:99999']), RangeError);
  assert.throws(() => new SSHManager([['host', 0]]), RangeError);
  assert.throws(() => new SSHManager(['a b c']), TypeError);
});

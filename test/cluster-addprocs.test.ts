// addprocs / rmprocs on real local worker processes: ids, the membership
// queries on process 1 and inside workers, ids never reused, setup hooks,
// option errors, and worker output forwarded as `From worker N:`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { addprocs, LocalManager, myid, nprocs, nworkers, procs, rmprocs, workers } from 'loom';
import { addWorkerSetup, isWorker } from '../lib/cluster/index.js';
import { echo, echoFixture, evalOn, info } from './fixtures/cluster-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('process 1 alone: myid 1, procs [1], workers [1], nworkers 1', () => {
  assert.equal(myid(), 1);
  assert.equal(isWorker(), false);
  assert.deepEqual(procs(), [1]);
  assert.deepEqual(workers(), [1]);
  assert.equal(nprocs(), 1);
  assert.equal(nworkers(), 1);
});

test('addprocs(2) resolves ready ids; the workers see the same cluster; ids are never reused', async (t) => {
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...workers().filter((p) => p !== 1)));
  assert.deepEqual(ids, [2, 3]);
  assert.deepEqual(workers(), [2, 3]);
  assert.deepEqual(procs(), [1, 2, 3]);
  assert.equal(nprocs(), 3);
  assert.equal(nworkers(), 2);
  const i2 = await info(2);
  assert.equal(i2.myid, 2);
  assert.equal(i2.isWorker, true);
  assert.deepEqual(i2.workers, [2, 3]);
  assert.deepEqual(i2.procs, [1, 2, 3]);
  assert.equal(await echo(3, 'hello'), 'hello');

  assert.equal(await rmprocs(2), 'ok');
  assert.deepEqual(workers(), [3]);
  const more = await addprocs(1, { exeflags: ['--import', echoFixture] });
  assert.deepEqual(more, [4], 'id 2 is not reused');
  assert.deepEqual((await info(4)).workers, [3, 4]);
  assert.deepEqual((await info(3)).workers, [3, 4], 'older workers hear of newer ones');
});

test('addprocs() adds one worker per core', async (t) => {
  const before = new Set(workers());
  const ids = await addprocs();
  t.after(() => rmprocs(...ids));
  assert.equal(ids.length, os.availableParallelism());
  for (const id of ids) assert.ok(!before.has(id));
});

test('addWorkerSetup hooks run on each new worker before addprocs resolves, and may message it', async (t) => {
  const seen: number[] = [];
  addWorkerSetup(async (pid) => {
    assert.equal(await echo(pid, pid), pid);
    seen.push(pid);
  });
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(...ids));
  assert.deepEqual([...seen].sort(), ids);
});

test('an unknown option is a TypeError naming it; bad values are named too', async () => {
  await assert.rejects(addprocs(1, { exeflag: [] } as never), { name: 'TypeError', message: /unknown option 'exeflag'/ });
  await assert.rejects(addprocs(1, { exeflags: 'x' } as never), { name: 'TypeError', message: /exeflags/ });
  await assert.rejects(addprocs(1, { topology: 'ring' } as never), { name: 'TypeError', message: /topology/ });
  assert.throws(() => new LocalManager(-1), RangeError);
});

test('a worker that fails to start makes addprocs reject with its stderr, and leaves nothing behind', async () => {
  const before = workers();
  await assert.rejects(addprocs(1, { exeflags: ['--import', path.join(here, 'fixtures', 'no-such-module.js')] }), /no-such-module|Cannot find/);
  assert.deepEqual(workers(), before);
});

test("worker stdout and stderr reach process 1's stderr as `From worker N: ...`", async () => {
  // In a child process, so that its stderr can be read whole.
  const script = `
    import { addprocs, rmprocs } from 'loom';
    import { evalOn, echoFixture } from ${JSON.stringify(path.join(here, 'fixtures', 'cluster-client.js'))};
    const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
    await evalOn(id, () => { console.log('to stdout'); console.error('to stderr'); return 1; });
    await new Promise((r) => setTimeout(r, 200));
    await rmprocs(id);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(here, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0, err);
  assert.match(err, /^From worker 2: to stdout$/m);
  assert.match(err, /^From worker 2: to stderr$/m);
});

test('evalOn helper sanity: values round-trip through a worker', async (t) => {
  const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
  t.after(() => rmprocs(id!));
  assert.equal(await evalOn(id!, (a: number, b: number) => a * b, 6, 7), 42);
});

// No orphans: a worker whose master never connects exits after
// LOOM_WORKER_TIMEOUT; one whose stdin closes exits; the workers of a master
// killed with SIGKILL exit; rmprocs leaves no process behind, and a worker that
// does not exit in time is killed ('timed_out').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addprocs, rmprocs, workers } from 'loom';
import { makeCookie } from '../lib/cluster/cookie.js';
import { workerMainPath } from '../lib/cluster/worker-path.js';
import { alive, echoFixture, info, spin } from './fixtures/cluster-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function exitOf(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, ms: Date.now() - t0 })));
}

async function waitGone(ospids: number[], seconds: number): Promise<number[]> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const left = ospids.filter(alive);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 50));
  }
  return ospids.filter(alive);
}

function startBareWorker(env: NodeJS.ProcessEnv = {}): { child: ChildProcess; announced: Promise<string> } {
  const child = spawn(process.execPath, [workerMainPath], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const announced = new Promise<string>((resolve) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
  });
  return { child, announced };
}

test('a worker whose master never connects exits after LOOM_WORKER_TIMEOUT', async (t) => {
  const { child, announced } = startBareWorker({ LOOM_WORKER_TIMEOUT: '1' });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = exitOf(child);
  child.stdin!.write(`${makeCookie()}\n`);
  assert.match(await announced, /^loom_worker:\d+#127\.0\.0\.1$/);
  const { code, ms } = await exited;
  assert.equal(code, 1);
  assert.ok(ms >= 800 && ms < 5000, `exited after ${ms} ms`);
  assert.match(stderr, /no master connected within 1 s/);
});

test('a worker exits when its stdin (its launcher) goes away', async (t) => {
  const { child, announced } = startBareWorker();
  t.after(() => child.kill('SIGKILL'));
  const exited = exitOf(child);
  child.stdin!.write(`${makeCookie()}\n`);
  await announced;
  child.stdin!.end();
  const { code, ms } = await exited;
  assert.equal(code, 0);
  assert.ok(ms < 3000);
});

test('a worker refuses a malformed cookie line', async (t) => {
  const { child } = startBareWorker();
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = exitOf(child);
  child.stdin!.write('not-a-cookie\n');
  assert.equal((await exited).code, 1);
  assert.match(stderr, /expected the cookie on stdin/);
});

// A worker stuck in a busy loop is ended by its SIGINT watcher: the native runtime's thread, or
// without it (LOOM_NATIVE=0) the helper thread.
for (const [busy, nativeOff] of [[false, false], [true, false], [true, true]] as const) {
  const how = busy ? `, even stuck in a busy loop${nativeOff ? ' (without the native runtime)' : ''}` : '';
  test(`the workers of a master killed with SIGKILL do not outlive it${how}`, async (t) => {
    const master = spawn(process.execPath, [path.join(here, 'fixtures', 'cluster-master.js'), '2', ...(busy ? ['busy'] : [])], {
      cwd: path.join(here, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: nativeOff ? { ...process.env, LOOM_NATIVE: '0' } : process.env,
    });
    let ospids: number[] = [];
    t.after(() => {
      master.kill('SIGKILL');
      for (const p of ospids) if (alive(p)) process.kill(p, 'SIGKILL');
    });
    const line = await new Promise<string>((resolve, reject) => {
      master.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d));
      master.once('exit', (c) => reject(new Error(`master exited early (${c})`)));
    });
    ospids = JSON.parse(line) as number[];
    assert.equal(ospids.length, 2);
    assert.ok(ospids.every(alive));
    master.kill('SIGKILL');
    assert.deepEqual(await waitGone(ospids, 10), [], 'no worker left running');
  });
}

test('rmprocs leaves no worker process behind', async () => {
  const ids = await addprocs(2, { exeflags: ['--import', echoFixture] });
  const ospids = await Promise.all(ids.map(async (id) => (await info(id)).ospid));
  try {
    assert.equal(await rmprocs(ids), 'ok');
    assert.deepEqual(workers(), [1]);
    assert.deepEqual(ospids.filter(alive), [], 'gone when rmprocs resolves');
  } finally {
    for (const p of ospids) if (alive(p)) process.kill(p, 'SIGKILL');
  }
});

test("rmprocs with waitfor resolves 'timed_out' for a busy worker and kills it", async () => {
  const [id] = await addprocs(1, { exeflags: ['--import', echoFixture] });
  const { ospid } = await info(id!);
  try {
    // A synchronous loop: the exit request cannot be read until it ends.
    const busy = spin(id!);
    await busy.started;
    const t0 = Date.now();
    assert.equal(await rmprocs(id!, { waitfor: 0.5 }), 'timed_out');
    assert.ok(Date.now() - t0 < 4000);
    assert.equal(alive(ospid), false);
    assert.deepEqual(workers(), [1]);
  } finally {
    if (alive(ospid)) process.kill(ospid, 'SIGKILL');
  }
});

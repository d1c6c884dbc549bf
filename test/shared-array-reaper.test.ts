// Segments whose creator died by SIGKILL are unlinked by the reaper of the next
// loom process; segments of live creators are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { creatorPidOf, isProcessDead, reapDeadSegments } from '../lib/shared/reaper.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const creatorScript = path.join(here, 'fixtures', 'shared-segment-creator.js');

async function startCreator(...args: string[]): Promise<{ child: ChildProcess; name: string; exited: Promise<void> }> {
  const child = spawn(process.execPath, [creatorScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const name = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`creator exited early (${code})`)));
  });
  return { child, name, exited };
}

/**
 * A creator SIGKILLed with its segment left behind. Any loom process that
 * starts meanwhile (another test file) may reap the segment before the test
 * looks: then it tries again.
 */
async function killedCreatorWithSegment(...args: string[]): Promise<{ child: ChildProcess; name: string }> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const c = await startCreator(...args);
    c.child.kill('SIGKILL');
    await c.exited;
    if (existsSync(`/dev/shm/${c.name}`)) return c;
  }
  assert.fail('five SIGKILLed creators in a row had their segments reaped by other processes before the test could look');
}

test('segment names carry the creator pid', () => {
  assert.equal(creatorPidOf('loom-1234-ab12cd'), 1234);
  assert.equal(creatorPidOf('/loom-77-0f'), 77);
  assert.equal(creatorPidOf('other-1234-ab'), undefined);
  assert.equal(creatorPidOf('loom-x-ab'), undefined);
  assert.equal(isProcessDead(process.pid), false);
});

test('the reaper unlinks the segment of a creator killed with SIGKILL, not those of live ones', async (t) => {
  const alive = await startCreator();
  t.after(() => {
    if (alive.child.exitCode === null && alive.child.signalCode === null) alive.child.kill('SIGKILL');
  });
  const dead = await killedCreatorWithSegment();
  assert.equal(creatorPidOf(dead.name), dead.child.pid);
  const reaped = reapDeadSegments();
  assert.ok(reaped.includes(dead.name), `reaped ${reaped.join(', ')}`);
  assert.equal(existsSync(`/dev/shm/${dead.name}`), false);
  assert.ok(existsSync(`/dev/shm/${alive.name}`), 'a live creator keeps its segment');
  assert.ok(!reaped.includes(alive.name));
  alive.child.kill('SIGKILL');
  await alive.exited;
  reapDeadSegments();
  assert.equal(existsSync(`/dev/shm/${alive.name}`), false);
});

test('a creator that exits normally unlinks what it still had linked', async () => {
  const c = await startCreator('4096', 'exit');
  await c.exited;
  assert.equal(existsSync(`/dev/shm/${c.name}`), false);
});

test('a creator stopped by SIGTERM (no exit handlers run) is reaped too', async () => {
  const c = await startCreator();
  c.child.kill('SIGTERM');
  await c.exited;
  reapDeadSegments();
  assert.equal(existsSync(`/dev/shm/${c.name}`), false);
});

test('the next loom process reaps a SIGKILLed creator\'s segment when its shared layer loads', async () => {
  const c = await killedCreatorWithSegment('65536');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('loom')"], { encoding: 'utf8', cwd: path.join(here, '..', '..') });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(`/dev/shm/${c.name}`), false);
});

test('a SharedArray creator with a worker, both killed: the reaper removes the creator\'s segment', async () => {
  const child = spawn(process.execPath, [path.join(here, 'fixtures', 'shared-array-creator.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`creator exited early (${code})`)));
    });
    const [name, workerPid] = line.split(' ') as [string, string];
    assert.equal(creatorPidOf(name), child.pid);
    assert.ok(existsSync(`/dev/shm/${name}`));
    child.kill('SIGKILL');
    await exited;
    try {
      process.kill(Number(workerPid), 'SIGKILL');
    } catch {
      // The worker left on its own when its master's pipe closed.
    }
    reapDeadSegments();
    assert.equal(existsSync(`/dev/shm/${name}`), false);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

// A master script ends by itself once its work is done, as a Julia script
// does: the workers' connections, child processes and pipes do not keep it
// alive, pending remote work does (a top-level await over a remote call is not
// cut short, a take that a worker fills later is waited for). Its workers go
// with it: no orphan, checked by OS pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive } from './fixtures/cluster-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, 'fixtures', 'master-exit-script.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  lines: unknown[];
  stderr: string;
}

/** Runs the script in `mode`; kills it (and the workers it reported) if it is still there after `limitMs`. */
function runScript(mode: string, limitMs: number, started: (ospids: number[]) => void): Promise<Run> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    const first = stdout.split('\n')[0];
    if (stdout.includes('\n') && first !== undefined && first.startsWith('{"ospids"')) {
      started((JSON.parse(first) as { ospids: number[] }).ospids);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      const lines = stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown);
      resolve({ code, signal, ms: Date.now() - t0, lines, stderr });
    });
  });
}

async function waitGone(ospids: number[], seconds: number): Promise<number[]> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (!ospids.some(alive)) return [];
    await new Promise((r) => setTimeout(r, 50));
  }
  return ospids.filter(alive);
}

function killAll(ospids: number[]): void {
  for (const pid of ospids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('a master script that ends without rmprocs exits by itself with its results, and its workers go', async (t) => {
  let ospids: number[] = [];
  t.after(() => killAll(ospids));
  const run = await runScript('work', 20_000, (p) => (ospids = p));
  assert.equal(run.signal, null, `the script did not exit by itself (killed after 20 s); stderr: ${run.stderr}`);
  assert.equal(run.code, 0, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.equal(ospids.length, 2);
  assert.deepEqual(run.lines[1], { doubled: 42, slow: 'slow done', squares: [1, 4, 9, 16, 25, 36, 49, 64] });
  // Within a few seconds of starting (addprocs included), not at some timeout.
  assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
  assert.deepEqual(await waitGone(ospids, 5), [], 'worker processes outlived their master');
});

test('a master script waits for a take that a worker fills a second later', async (t) => {
  let ospids: number[] = [];
  t.after(() => killAll(ospids));
  const run = await runScript('take', 20_000, (p) => (ospids = p));
  assert.equal(run.signal, null, `the script did not exit by itself; stderr: ${run.stderr}`);
  assert.equal(run.code, 0, `exit code ${run.code}; stderr: ${run.stderr}`);
  const result = run.lines[1] as { got: string[]; ms: number };
  assert.deepEqual(result.got, ['filled here', 'filled there']);
  assert.ok(result.ms >= 900, `the take returned after ${result.ms} ms`);
  assert.deepEqual(await waitGone(ospids, 5), [], 'worker processes outlived their master');
});

test('process 1 that served calls from a worker still dies of SIGINT, and its workers go', async (t) => {
  let ospids: number[] = [];
  t.after(() => killAll(ospids));
  const run = await runScript('sigint', 20_000, (p) => (ospids = p));
  assert.deepEqual(run.lines[1], { one: 1 });
  assert.equal(run.signal, 'SIGINT', `exit code ${run.code}, output ${JSON.stringify(run.lines)}; stderr: ${run.stderr}`);
  assert.deepEqual(await waitGone(ospids, 5), [], 'worker processes outlived their master');
});

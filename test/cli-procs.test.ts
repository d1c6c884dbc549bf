// `loom -p N script.js`: the script runs with N local workers already added,
// gets its own arguments, and the workers are gone when loom exits; a script
// error gives exit code 1 and still removes them; bad arguments give usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alive } from './fixtures/cluster-client.js';
import { cliScript, runLoom } from './fixtures/cluster-cli-run.js';
import { parseCliArgs } from '../lib/cluster/cli-args.js';

test('loom -p 2 script.js a b: two workers, the script’s own argv, nothing left afterwards', async () => {
  const r = await runLoom(['-p', '2', cliScript, 'a', 'b']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { workers: number[]; nprocs: number; argv: string[]; ospids: number[]; seen: number[][] };
  assert.deepEqual(out.workers, [2, 3]);
  assert.equal(out.nprocs, 3);
  assert.deepEqual(out.argv, ['a', 'b']);
  assert.deepEqual(out.seen, [[2, 3], [2, 3]]);
  assert.deepEqual(out.ospids.filter(alive), []);
});

test('a failing script exits 1 with its error, and its workers are removed', async () => {
  const r = await runLoom(['-p', '1', cliScript, 'fail']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the script failed on purpose/);
  const out = JSON.parse(r.stdout) as { ospids: number[] };
  assert.deepEqual(out.ospids.filter(alive), []);
});

test('bad command lines are refused with the usage', async () => {
  const r = await runLoom(['-p', 'many', cliScript]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /-p expects a non-negative integer or 'auto'/);
  assert.throws(() => parseCliArgs(['--frobnicate', 'x.js']), /unknown option '--frobnicate'/);
  assert.throws(() => parseCliArgs([]), /no script given/);
  assert.equal(parseCliArgs(['-p', 'auto', 's.js']).procs > 0, true);
  assert.deepEqual(parseCliArgs(['-p', '3', 's.js', '-p', '9']).args, ['-p', '9'], 'options after the script are its own');
});

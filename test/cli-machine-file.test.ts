// `loom --machine-file F script.js` against a real sshd on loopback: lines
// `[count*][user@]host[:port] [bind_addr[:port]]`, comments and blank lines,
// as Julia reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseMachineFile } from '../lib/cluster/machine-spec.js';
import { alive } from './fixtures/cluster-client.js';
import { cliScript, runLoom } from './fixtures/cluster-cli-run.js';
import { sshdUnavailable, startSshd } from './fixtures/cluster-sshd.js';

test('machine file lines parse as Julia reads them', () => {
  const specs = parseMachineFile(
    ['# cluster', '2*alice@node1:2222 10.0.0.1', '', 'node2', 'auto*bob@node3 10.0.0.3:9000  # trailing comment', 'node4:22'].join('\n'),
  );
  assert.deepEqual(specs, [['alice@node1:2222 10.0.0.1', 2], 'node2', ['bob@node3 10.0.0.3:9000', 'auto'], 'node4:22']);
  assert.throws(() => parseMachineFile('0*node1'), RangeError);
  assert.throws(() => parseMachineFile('node1:70000'), RangeError);
  assert.throws(() => parseMachineFile('a b c'), TypeError);
});

test('loom --machine-file F script.js starts the listed workers over ssh', { skip: sshdUnavailable() }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const file = path.join(sshd.dir, 'machines');
  writeFileSync(file, `# two on one line, one with a bind address\n2*${sshd.machine}\n${sshd.machine} 127.0.0.1\n`);
  const r = await runLoom(['--machine-file', file, '--sshflags', [...sshd.sshflags, '-o', 'SendEnv=NODE_OPTIONS'].join(' '), cliScript, 'x']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { workers: number[]; argv: string[]; ospids: number[] };
  assert.deepEqual(out.workers, [2, 3, 4]);
  assert.deepEqual(out.argv, ['x']);
  const end = Date.now() + 5000;
  while (out.ospids.some(alive) && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(out.ospids.filter(alive), [], 'the remote workers are gone');
});

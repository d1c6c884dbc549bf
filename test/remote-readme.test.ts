// The README's remote-calls examples (remotecallFetch, everywhere, pmap,
// parallelFor with a reducer) run as written and print what the README says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function examples(): { code: string; expected: string }[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Remote calls');
  assert.ok(start >= 0, 'README has a remote-calls section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(js|text)\n([\s\S]*?)```/g)];
  const out: { code: string; expected: string }[] = [];
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i]![1] !== 'js') continue;
    const next = blocks[i + 1];
    assert.ok(next && next[1] === 'text', 'each js example is followed by its output');
    out.push({ code: blocks[i]![2]!, expected: next[2]! });
  }
  return out;
}

for (const [k, { code, expected }] of examples().entries()) {
  test(`README remote-calls example ${k + 1} prints its documented output`, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(stdout.trim(), expected.trim());
  });
}

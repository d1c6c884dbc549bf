// The README's tasks examples run as written and print what the README says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readmeExamples, runExample } from './fixtures/readme-examples.js';

test('every js example of the README tasks section runs and prints its documented output', async () => {
  const list = readmeExamples('## Tasks in one process');
  assert.ok(list.length >= 2);
  for (const { code, expected } of list) {
    assert.equal((await runExample(code, 30_000)).trim(), expected.trim());
  }
});

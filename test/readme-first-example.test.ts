// The README's first example (workers, a remote call, pmap, a SharedArray
// reduced by parallelFor) runs as written, prints what the README says, and
// the script ends by itself with its workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readmeExamples, runExample } from './fixtures/readme-examples.js';

test('the first README example runs, prints its documented output and exits by itself', async () => {
  const [first] = readmeExamples('# loom');
  assert.ok(first, 'the README opens with an example');
  assert.equal((await runExample(first.code)).trim(), first.expected.trim());
});

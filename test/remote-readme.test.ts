// The README's remote-calls examples (remotecallFetch, everywhere, pmap,
// parallelFor with a reducer) run as written and print what the README says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readmeExamples, runExample } from './fixtures/readme-examples.js';

for (const [k, { code, expected }] of readmeExamples('## Remote calls').entries()) {
  test(`README remote-calls example ${k + 1} prints its documented output`, async () => {
    assert.equal((await runExample(code)).trim(), expected.trim());
  });
}

// CommonJS code can `require('loom')` (the package's "require" export,
// dist/lib/index.cjs): the same instances as `import 'loom'`, workers included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const script = `
const loom = require('loom');
const native = require('loom/native');
(async () => {
  const [id] = await loom.addprocs(1);
  const there = await loom.remotecallFetch(id, (x) => loom.myid() * x, 10);
  const viaImport = await import('loom');
  const nativeViaImport = await import('loom/native');
  const out = {
    there,
    sameAsImport: viaImport.addprocs === loom.addprocs && viaImport.Future === loom.Future,
    nativeSame: nativeViaImport.nativeAvailable === native.nativeAvailable,
    pmap: await loom.pmap((x) => x + 1, [1, 2, 3]),
  };
  await loom.rmprocs(id);
  console.log(JSON.stringify(out));
})();
`;

test("require('loom') gives the library, the same instances as import", () => {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { there: 20, sameAsImport: true, nativeSame: true, pmap: [2, 3, 4] });
});

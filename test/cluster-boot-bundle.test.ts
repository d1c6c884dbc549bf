// dist/lib's ES modules live in two CommonJS bundles (scripts/bundle-dist.mjs):
// cluster/boot.cjs, a worker's start-up, and library.cjs, the rest. The ES
// module files re-export their bundle's values: every importer, on process 1
// and on workers, shares one instance of each module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addprocs, remotecallFetch, remoteFn, rmprocs, workers } from 'loom';
import type { BootProbe } from './fixtures/boot-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const libDir = path.join(here, '..', 'lib');
const bootPath = path.join(libDir, 'cluster', 'boot.cjs');
const libraryPath = path.join(libDir, 'library.cjs');
const MARK = '// Re-exported from a bundle';

function reexportingModules(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...reexportingModules(p));
    else if (e.name.endsWith('.js') && readFileSync(p, 'utf8').startsWith(MARK)) out.push(p);
  }
  return out;
}

test('every bundled module re-exports the very values of its bundle', async () => {
  const requireHere = createRequire(import.meta.url);
  const files = reexportingModules(libDir);
  const bundleOf = new Map<string, string>();
  for (const file of files) {
    const m = /^const m = createRequire\(import\.meta\.url\)\('([^']+)'\)/m.exec(readFileSync(file, 'utf8'));
    assert.ok(m !== null, `${file} names its bundle`);
    bundleOf.set(file, path.basename(m[1]!));
  }
  const names = (bundle: string) => files.filter((f) => bundleOf.get(f) === bundle).map((f) => path.relative(libDir, f));
  for (const must of ['cluster/membership.js', 'cluster/connection.js', 'cluster/worker-runtime.js', 'cluster/worker-main.js', 'errors.js']) {
    assert.ok(names('boot.cjs').includes(must), `${must} is in boot.cjs (there: ${names('boot.cjs').join(', ')})`);
  }
  for (const must of ['index.js', 'remote/pmap.js', 'shared/shared-array.js', 'tasks/channel.js', 'cluster/addprocs.js']) {
    assert.ok(names('library.cjs').includes(must), `${must} is in library.cjs`);
  }
  for (const file of files) {
    const bundle = requireHere(bundleOf.get(file) === 'boot.cjs' ? bootPath : libraryPath) as Record<string, Record<string, unknown>>;
    const key = path.relative(libDir, file).replace(/\.js$/, '').replace(/[^A-Za-z0-9]/g, '_');
    const ns = bundle[key];
    assert.ok(ns !== undefined, `${bundleOf.get(file)} has a namespace for ${key}`);
    const esm = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(ns).sort(), `${key}: same export names`);
    for (const name of Object.keys(ns)) assert.equal(esm[name], ns[name], `${key}.${name} is the bundle's value`);
  }
});

test('a local worker starts from worker.cjs and its library uses the bundled runtime', async (t) => {
  const ids = await addprocs(2);
  t.after(() => rmprocs(ids));
  const probe = remoteFn<() => BootProbe>(new URL('./fixtures/boot-probe.js', import.meta.url).href, 'probe');
  for (const id of ids) {
    const p = await remotecallFetch(id, probe);
    assert.equal(path.basename(p.entry), 'worker.cjs');
    assert.deepEqual({ ...p, entry: undefined }, { entry: undefined, bootLoaded: true, sameMembership: true, sameSerializer: true });
  }
  await rmprocs(ids);
  assert.deepEqual(workers(), [1]);
});

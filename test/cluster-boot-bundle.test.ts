// A worker starts from one CommonJS file, dist/lib/cluster/boot.cjs (built by
// scripts/bundle-boot.mjs), and the ES module files of the modules bundled in
// it re-export its instances: every importer, on process 1 and on workers,
// shares one cluster runtime.
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
const MARK = '// Re-exported from boot.cjs';

function reexportingModules(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...reexportingModules(p));
    else if (e.name.endsWith('.js') && readFileSync(p, 'utf8').startsWith(MARK)) out.push(p);
  }
  return out;
}

test('every bundled module re-exports the very values of boot.cjs', async () => {
  const boot = createRequire(import.meta.url)(bootPath) as Record<string, Record<string, unknown>>;
  const files = reexportingModules(libDir);
  const names = files.map((f) => path.relative(libDir, f));
  for (const must of ['cluster/membership.js', 'cluster/connection.js', 'cluster/worker-runtime.js', 'cluster/worker-main.js', 'errors.js']) {
    assert.ok(names.includes(must), `${must} is bundled (bundled: ${names.join(', ')})`);
  }
  for (const file of files) {
    const key = path.relative(libDir, file).replace(/\.js$/, '').replace(/[^A-Za-z0-9]/g, '_');
    const ns = boot[key];
    assert.ok(ns !== undefined, `boot.cjs has a namespace for ${key}`);
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

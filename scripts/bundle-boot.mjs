// Runs after tsc (`npm run build`): bundles the worker's start-up path, the
// ES module worker-main.js and everything it imports statically, into one
// CommonJS file, dist/lib/cluster/boot.cjs, which is what a worker runs
// (through dist/lib/cluster/worker.cjs). Then
// each bundled module's ES module file in dist/ is replaced by a re-export
// from boot.cjs, so that every process (and every importer of `loom`) shares
// one instance of each module. Why: a worker loads one CommonJS file in about
// a third of the time of the same ES modules, without starting Node's ES
// module loader (docs/internals.md, "Start-up").
//
// Dynamic import() calls stay dynamic (they load the library's ES modules
// later), so they and `import.meta.url` are resolved from boot.cjs's
// directory: the script refuses modules outside dist/lib/cluster that use
// either. An `export let` would be frozen in its re-export: refused too.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const lib = path.join(root, 'dist', 'lib');
const bootDir = path.join(lib, 'cluster');
const entry = path.join(bootDir, 'worker-main.js');
const out = path.join(bootDir, 'boot.cjs');
/** What LocalManager runs. Not boot.cjs itself: an --import preload may have loaded that already. */
const workerEntry = path.join(bootDir, 'worker.cjs');
const MARK = '// Re-exported from boot.cjs (scripts/bundle-boot.mjs)';

if (!existsSync(entry)) fail(`${path.relative(root, entry)} is missing: run tsc first`);
if (readFileSync(entry, 'utf8').startsWith(MARK)) {
  console.log('bundle-boot: dist/ is already bundled (run tsc to rebuild it)');
  process.exit(0);
}

const problems = [];
const keepDynamicImports = {
  name: 'keep-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind !== 'dynamic-import') return undefined;
      if (a.path.startsWith('.') && path.dirname(a.importer) !== bootDir) {
        problems.push(`${rel(a.importer)}: import('${a.path}') would resolve from boot.cjs's directory`);
      }
      return { external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  plugins: [keepDynamicImports],
  logLevel: 'warning',
  define: { 'import.meta.url': '__bootModuleUrl' },
};

// Pass 1: which modules the worker's start-up reaches.
const probe = await build({ ...common, entryPoints: [entry], write: false, metafile: true, outfile: out });
const inputs = Object.keys(probe.metafile.inputs).map((p) => path.resolve(root, p));
for (const file of inputs) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('import.meta') && path.dirname(file) !== bootDir) problems.push(`${rel(file)} uses import.meta`);
  if (/^export let /m.test(text)) problems.push(`${rel(file)} has an \`export let\``);
}
if (problems.length > 0) fail(`cannot bundle the worker start-up:\n  ${problems.join('\n  ')}`);

// Pass 2: one namespace export per module, named by its path under dist/lib.
const keyOf = (file) => path.relative(lib, file).replace(/\.js$/, '').replace(/[^A-Za-z0-9]/g, '_');
const entrySource = [
  `export { runWorkerMain } from './worker-main.js';`,
  ...inputs.map((file) => `export * as ${keyOf(file)} from './${path.relative(bootDir, file)}';`),
].join('\n');
await build({
  ...common,
  stdin: { contents: entrySource, resolveDir: bootDir, sourcefile: 'boot-entry.js' },
  outfile: out,
  sourcemap: true,
  banner: { js: `// loom: a worker's start-up modules in one file (scripts/bundle-boot.mjs).\nconst __bootModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
});

const boot = createRequire(import.meta.url)(out);
for (const file of inputs) {
  const ns = boot[keyOf(file)];
  const names = Object.keys(ns);
  const from = `./${path.relative(path.dirname(file), out)}`;
  const lines = [MARK, `import boot from '${from}';`];
  if (names.length > 0) {
    lines.push(`const m = boot.${keyOf(file)};`);
    for (const n of names) lines.push(`export const ${n} = m.${n};`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  rmSync(`${file}.map`, { force: true });
}
writeFileSync(workerEntry, `// A loom worker (scripts/bundle-boot.mjs).\nrequire('./boot.cjs').runWorkerMain();\n`);
console.log(`bundle-boot: ${inputs.length} modules in ${rel(out)}`);
process.exit(0);

function rel(p) {
  return path.relative(root, p);
}

function fail(message) {
  console.error(`bundle-boot: ${message}`);
  process.exit(1);
}

// Runs after tsc (`npm run build`). Turns dist/lib's ES modules into two
// CommonJS bundles, made by esbuild:
//   dist/lib/cluster/boot.cjs  a worker's start-up: worker-main.js and what it
//                              imports statically (the cluster runtime);
//   dist/lib/library.cjs       the rest of what `import 'loom'` loads; it
//                              takes the start-up modules from boot.cjs.
// Then each bundled module's ES module file is replaced by a re-export of its
// bundle's values, so every importer, on every process, shares one instance of
// each module. Why: a CommonJS bundle loads in about a third of the time of the
// same ES modules (docs/internals.md, "Start-up"). A worker runs
// dist/lib/cluster/worker.cjs, written here too, as are dist/lib/index.cjs and
// native.cjs, what `require('loom')` and `require('loom/native')` load.
//
// Modules only loaded by import() or by path (the CLI, entry scripts) stay ES
// modules. `import.meta.url` becomes each module's own file URL. An
// `export let` would be frozen in its re-export: refused.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const lib = path.join(root, 'dist', 'lib');
const clusterDir = path.join(lib, 'cluster');
const MARK = '// Re-exported from a bundle (scripts/bundle-dist.mjs)';
const bundles = {
  boot: { entry: path.join(clusterDir, 'worker-main.js'), out: path.join(clusterDir, 'boot.cjs') },
  library: { entry: path.join(lib, 'index.js'), out: path.join(lib, 'library.cjs') },
};
/** What LocalManager runs. Not boot.cjs itself: an --import preload may have loaded that already. */
const workerEntry = path.join(clusterDir, 'worker.cjs');

for (const b of Object.values(bundles)) if (!existsSync(b.entry)) fail(`${rel(b.entry)} is missing: run tsc first`);
if (readFileSync(bundles.library.entry, 'utf8').startsWith(MARK)) {
  console.log('bundle-dist: dist/ is already bundled (run tsc to rebuild it)');
  process.exit(0);
}

const keyOf = (file) => path.relative(lib, file).replace(/\.js$/, '').replace(/[^A-Za-z0-9]/g, '_');
const requireHere = createRequire(import.meta.url);
const problems = [];

/** Each module's `import.meta.url` is its own file's URL, wherever its bundle is. */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (a) => {
      let text = readFileSync(a.path, 'utf8');
      if (text.includes('import.meta')) {
        text = text.replaceAll('import.meta.url', `__moduleUrl(${JSON.stringify(path.relative(lib, a.path))})`);
        if (text.includes('import.meta')) problems.push(`${rel(a.path)} uses import.meta beyond import.meta.url`);
      }
      if (/^export let /m.test(text)) problems.push(`${rel(a.path)} has an \`export let\``);
      return { contents: text, loader: 'js', resolveDir: path.dirname(a.path) };
    });
  },
};

/**
 * Modules already in an earlier bundle come from it; a dynamic import() of a
 * module outside this bundle stays an import(), its path made relative to the
 * bundle's directory.
 */
function linkTo(out, earlier, inBundle) {
  const fromOut = (file) => `./${path.relative(path.dirname(out), file)}`;
  return {
    name: 'link-bundles',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (a) => {
        if (a.namespace !== 'file') return undefined;
        const file = path.resolve(a.resolveDir, a.path);
        const owner = earlier.find((e) => e.inputs.includes(file));
        // (Named relative to the package: the bundle keeps no path of the machine it was built on.)
        if (owner !== undefined) return { path: path.relative(root, file), namespace: 'earlier-bundle', pluginData: owner };
        if (a.kind === 'dynamic-import' && !inBundle(file)) return { path: fromOut(file), external: true };
        return undefined;
      });
      // An ES module of constants copied from the earlier bundle's namespace: uses then bind to
      // them directly. (esbuild's namespaces have a getter per export, and so has the wrapper it
      // puts around a CommonJS module: every call through either would pay one. No export is
      // live: `export let` is refused.)
      b.onLoad({ filter: /.*/, namespace: 'earlier-bundle' }, (a) => {
        const key = keyOf(path.resolve(root, a.path));
        const names = Object.keys(requireHere(a.pluginData.out)[key]);
        return {
          contents: [
            `const m = require(${JSON.stringify(fromOut(a.pluginData.out))}).${key};`,
            ...names.map((n) => `export const ${n} = m.${n};`),
          ].join('\n'),
          loader: 'js',
        };
      });
      b.onResolve({ filter: /\.cjs$/ }, (a) => ({ path: a.path, external: true }));
    },
  };
}

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };
const banner = (out) =>
  [
    `// loom: ES modules of dist/lib in one CommonJS file (scripts/bundle-dist.mjs).`,
    `const __moduleUrl = (file) => require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(path.relative(path.dirname(out), lib) || '.')}, file)).href;`,
  ].join('\n');

const done = [];
for (const [name, b] of Object.entries(bundles)) {
  // Pass 1: which modules the entry reaches statically.
  const reached = new Set();
  const probe = await build({
    ...common,
    entryPoints: [b.entry],
    write: false,
    metafile: true,
    outfile: b.out,
    plugins: [linkTo(b.out, done, () => false), ownImportMeta],
  });
  for (const p of Object.keys(probe.metafile.inputs)) if (!p.includes(':')) reached.add(path.resolve(root, p));
  if (problems.length > 0) fail(`cannot bundle ${name}:\n  ${[...new Set(problems)].join('\n  ')}`);
  const inputs = [...reached];
  // Pass 2: one namespace export per module, named by its path under dist/lib. The entry comes
  // first, so that modules evaluate in the order its imports give (import cycles depend on it).
  // Paths are relative to the bundle's own directory, where the generated entry is resolved from.
  const entrySource = [
    `import './${path.relative(path.dirname(b.out), b.entry)}';`,
    ...(name === 'boot' ? [`export { runWorkerMain } from './worker-main.js';`] : []),
    ...inputs.map((file) => `export * as ${keyOf(file)} from './${path.relative(path.dirname(b.out), file)}';`),
  ].join('\n');
  await build({
    ...common,
    stdin: { contents: entrySource, resolveDir: path.dirname(b.out), sourcefile: `${name}-entry.js` },
    outfile: b.out,
    sourcemap: true,
    plugins: [linkTo(b.out, done, (f) => reached.has(f)), ownImportMeta],
    banner: { js: banner(b.out) },
  });
  done.push({ out: b.out, inputs });
}

// The re-exports, once both bundles load.
for (const b of done) {
  const bundle = requireHere(b.out);
  for (const file of b.inputs) {
    const names = Object.keys(bundle[keyOf(file)]);
    // require(), not `import`: Node would run its CommonJS export lexer over the whole bundle
    // (~15-20 ms for library.cjs) to find names nobody imports from it.
    const lines = [
      MARK,
      `import { createRequire } from 'node:module';`,
      `const m = createRequire(import.meta.url)('./${path.relative(path.dirname(file), b.out)}').${keyOf(file)};`,
    ];
    for (const n of names) lines.push(`export const ${n} = m.${n};`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    rmSync(`${file}.map`, { force: true });
  }
}
writeFileSync(workerEntry, `// A loom worker (scripts/bundle-dist.mjs).\nrequire('./boot.cjs').runWorkerMain();\n`);
// `require('loom')` and `require('loom/native')` (the package's "require" exports): the same instances as `import`.
for (const name of ['index', 'native']) {
  writeFileSync(path.join(lib, `${name}.cjs`), `// loom for require() (scripts/bundle-dist.mjs).\nmodule.exports = require('./library.cjs').${name};\n`);
}
console.log(`bundle-dist: ${done.map((b) => `${b.inputs.length} modules in ${rel(b.out)}`).join(', ')}`);
process.exit(0);

function rel(p) {
  return path.relative(root, p);
}

function fail(message) {
  console.error(`bundle-dist: ${message}`);
  process.exit(1);
}

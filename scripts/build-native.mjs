// Builds the addon on `npm install` / `npm ci`. A failed build must not fail
// the install: loom then runs on its pure-TS fallback and says so once at load.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
if (process.env.LOOM_SKIP_NATIVE_BUILD === '1') {
  console.warn('loom: LOOM_SKIP_NATIVE_BUILD=1, not building the addon (pure-TS fallback)');
  process.exit(0);
}
let gyp;
try {
  gyp = createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = process.env.npm_config_node_gyp;
}
if (!gyp) {
  console.warn('loom: node-gyp not found; the addon was not built, loom will use its pure-TS fallback');
  process.exit(0);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', '-j', 'max'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.warn('loom: building the native addon failed; loom will use its pure-TS fallback (see the output above)');
}
process.exit(0);

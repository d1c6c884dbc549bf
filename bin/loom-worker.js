#!/usr/bin/env node
// The worker entry point (like `julia --worker`): reads the cookie from stdin.
// Local workers run dist/lib/cluster/boot.cjs directly (no ES module loader at start-up).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('../dist/lib/cluster/boot.cjs').runWorkerMain();

#!/usr/bin/env node
// The worker entry point (like `julia --worker`): reads the cookie from stdin.
import '../dist/lib/cluster/worker-main.js';

#!/usr/bin/env node
// `loom -p N script.js`, `loom --machine-file F script.js`
import '../dist/lib/cluster/cli.js';

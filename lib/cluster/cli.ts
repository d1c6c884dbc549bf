// The `loom` command, like `julia -p N` / `julia --machine-file F`:
//   loom [-p N|auto] [--machine-file F] [--sshflags "..."] [--tunnel] script.js [args...]
// adds the workers, runs the script (an ES module; its process.argv is
// [node, script, ...args]), then removes the workers and exits.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addprocs } from './addprocs.js';
import { parseCliArgs, type CliOptions } from './cli-args.js';
import { workers } from './membership.js';
import { rmprocs } from './rmprocs.js';

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`loom: ${(e as Error).message}\n`);
    return 2;
  }
  const script = path.resolve(options.script);
  let code = 0;
  try {
    if (options.procs > 0) await addprocs(options.procs);
    if (options.machines.length > 0) await addprocs(options.machines, { sshflags: options.sshflags, tunnel: options.tunnel });
    process.argv = [process.argv[0]!, script, ...options.args];
    await import(pathToFileURL(script).href);
  } catch (e) {
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    code = 1;
  }
  const ids = workers().filter((p) => p !== 1);
  if (ids.length > 0) await rmprocs(ids, { waitfor: 30 });
  return code;
}

process.exitCode = await main();

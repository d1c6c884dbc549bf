// The `loom` command, like `julia -p N` / `julia --machine-file F`:
//   loom [-p N|auto] [--machine-file F] [--sshflags "..."] [--tunnel] script.js [args...]
// adds the workers, runs the script (an ES module; its process.argv is
// [node, script, ...args]), then removes the workers and exits.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addprocs } from './addprocs.js';
import { parseMachineFile, type MachineSpec } from './machine-spec.js';
import { workers } from './membership.js';
import { rmprocs } from './rmprocs.js';

const USAGE = 'usage: loom [-p N|auto] [--machine-file FILE] [--sshflags "FLAGS"] [--tunnel] script.js [args...]';

interface CliOptions {
  procs: number;
  machines: MachineSpec[];
  sshflags: string[];
  tunnel: boolean;
  script: string;
  args: string[];
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const o: Omit<CliOptions, 'script'> & { script?: string } = { procs: 0, machines: [], sshflags: [], tunnel: false, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new TypeError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '-p' || a === '--procs') {
      const v = value();
      const n = v === 'auto' ? os.availableParallelism() : Number(v);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`-p expects a non-negative integer or 'auto', got '${v}'`);
      o.procs = n;
    } else if (a === '--machine-file' || a === '--machinefile') {
      const file = value();
      o.machines.push(...parseMachineFile(readFileSync(file, 'utf8')));
    } else if (a === '--sshflags') {
      o.sshflags.push(...value().split(/\s+/).filter(Boolean));
    } else if (a === '--tunnel') {
      o.tunnel = true;
    } else if (a === '-h' || a === '--help') {
      throw new TypeError(USAGE);
    } else if (a.startsWith('-')) {
      throw new TypeError(`unknown option '${a}'\n${USAGE}`);
    } else {
      o.script = a;
      o.args = argv.slice(i + 1);
      break;
    }
  }
  if (o.script === undefined) throw new TypeError(`no script given\n${USAGE}`);
  return o as CliOptions;
}

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

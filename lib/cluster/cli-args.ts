// The `loom` command line:
//   loom [-p N|auto] [--machine-file F] [--sshflags "..."] [--tunnel] script.js [args...]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseMachineFile, type MachineSpec } from './machine-spec.js';

export const USAGE = 'usage: loom [-p N|auto] [--machine-file FILE] [--sshflags "FLAGS"] [--tunnel] script.js [args...]';

export interface CliOptions {
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


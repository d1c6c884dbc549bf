// Machine specs, as in Julia: `[user@]host[:port] [bind_addr[:port]]`, alone or
// paired with a count (`['host', 2]`, `['host', 'auto']`); a machine file line
// may also start with `count*`.

export type MachineSpec = string | readonly [string, number | 'auto'];

export interface Machine {
  /** What ssh is given: `[user@]host` (the port goes to `-p`). */
  sshHost: string;
  /** The host name alone. */
  host: string;
  user?: string;
  sshPort?: number;
  /** Where the worker listens on that machine. */
  bindAddr?: string;
  bindPort?: number;
  count: number | 'auto';
}

const HOST_RE = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:\s@]+)(?::(\d+))?$/;
const BIND_RE = /^(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/;

function port(text: string | undefined, what: string, spec: string): number | undefined {
  if (text === undefined) return undefined;
  const p = Number(text);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`machine spec '${spec}': bad ${what} port ${text}`);
  return p;
}

/** Parses `[user@]host[:port] [bind_addr[:port]]`. */
export function parseMachine(spec: string, count: number | 'auto' = 1): Machine {
  if (typeof spec !== 'string') throw new TypeError(`machine spec must be a string, got ${typeof spec}`);
  const parts = spec.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '' || parts.length > 2) {
    throw new TypeError(`machine spec '${spec}': expected '[user@]host[:port] [bind_addr[:port]]'`);
  }
  const m = HOST_RE.exec(parts[0]!);
  if (m === null) throw new TypeError(`machine spec '${spec}': expected '[user@]host[:port] [bind_addr[:port]]'`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const machine: Machine = {
    sshHost: m[1] === undefined ? host : `${m[1]}@${host}`,
    host,
    user: m[1],
    sshPort: port(m[3], 'ssh', spec),
    count,
  };
  if (parts[1] !== undefined) {
    const b = BIND_RE.exec(parts[1]);
    if (b === null) throw new TypeError(`machine spec '${spec}': bad bind address '${parts[1]}'`);
    machine.bindAddr = b[1]!.replace(/^\[|\]$/g, '');
    machine.bindPort = port(b[2], 'bind', spec);
  }
  return machine;
}

/** A spec as addprocs takes it: a string, or `[string, count]`. */
export function toMachine(spec: MachineSpec): Machine {
  if (typeof spec === 'string') return parseMachine(spec);
  if (Array.isArray(spec) && spec.length === 2) {
    const [s, count] = spec as [string, number | 'auto'];
    if (count !== 'auto' && (!Number.isInteger(count) || count < 1)) {
      throw new RangeError(`machine spec '${s}': count must be a positive integer or 'auto', got ${String(count)}`);
    }
    return parseMachine(s, count);
  }
  throw new TypeError(`machine spec must be a string or [string, count], got ${JSON.stringify(spec)}`);
}

/** Parses a machine file: one `[count*][user@]host[:port] [bind_addr[:port]]` a line; `#` starts a comment. */
export function parseMachineFile(text: string): MachineSpec[] {
  const specs: MachineSpec[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const star = /^(\d+|auto)\*(.*)$/.exec(line);
    if (star === null) {
      parseMachine(line); // validates now, with the line in the message
      specs.push(line);
    } else {
      const count = star[1] === 'auto' ? 'auto' : Number(star[1]);
      toMachine([star[2]!.trim(), count]);
      specs.push([star[2]!.trim(), count]);
    }
  }
  return specs;
}

// @everywhere: a function run on every process (the master too, as Julia
// does), or a module imported on every process, including the workers added
// later. Failures on any process come back together in one CompositeException.
import { addWorkerSetup, myid, procs } from '../cluster/index.js';
import { CompositeException } from '../errors.js';
import { describe } from '../tasks/wait-options.js';
import { registerBuiltin, resolveSpecifier } from './function-shipping.js';
import { checkPid } from './pids.js';
import { remotecallFetch } from './remotecall.js';

export interface EverywhereOptions {
  /** The processes to run on (default: every process, this one included). */
  pids?: readonly number[];
}

/** Imports a module on the process it runs on (and keeps its namespace alive there). */
const importHere = registerBuiltin('everywhere.import', async (specifier: string): Promise<void> => {
  await import(specifier);
});

// Modules given to everywhere(specifier), imported on every worker added later too.
const setupModules: string[] = [];
let setupRegistered = false;

/**
 * Runs `fn()` on every process and resolves with the results in `procs()`
 * order; or, given a module specifier, imports it on every process now and on
 * every worker added later. Rejects with a CompositeException of every failure.
 */
export function everywhere<R>(fn: () => R, options?: EverywhereOptions): Promise<Awaited<R>[]>;
export function everywhere(moduleSpecifier: string, options?: EverywhereOptions): Promise<void>;
export async function everywhere(what: string | (() => unknown), options?: EverywhereOptions): Promise<unknown> {
  if (typeof what !== 'string' && typeof what !== 'function') {
    throw new TypeError(`everywhere: expected a function or a module specifier, got ${describe(what)}`);
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`everywhere: options must be an object like { pids }, got ${describe(options)}`);
  }
  const pids = options?.pids !== undefined ? options.pids.map((p) => checkPid(p, 'everywhere')) : procs();
  let call: (pid: number) => Promise<unknown>;
  let remember: string | undefined;
  if (typeof what === 'string') {
    if (what === '') throw new TypeError('everywhere: the module specifier is empty');
    const spec = resolveSpecifier(what);
    // Workers added later import it too, once it loaded everywhere now.
    remember = options?.pids === undefined && myid() === 1 ? spec : undefined;
    call = (pid) => remotecallFetch(pid, importHere, spec);
  } else {
    const fn = what;
    call = (pid) => remotecallFetch(pid, fn);
  }
  // The master first, then the workers, as Julia's @everywhere does.
  const me = myid();
  const order = [...pids.filter((p) => p === me), ...pids.filter((p) => p !== me)];
  const outcomes = await Promise.allSettled(order.map((pid) => call(pid)));
  const errors = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (errors.length > 0) throw new CompositeException(errors);
  if (remember !== undefined) rememberSetupModule(remember);
  const byPid = new Map(order.map((pid, k) => [pid, (outcomes[k] as PromiseFulfilledResult<unknown>).value]));
  return typeof what === 'string' ? undefined : pids.map((pid) => byPid.get(pid));
}

function rememberSetupModule(spec: string): void {
  if (!setupModules.includes(spec)) setupModules.push(spec);
  if (setupRegistered) return;
  setupRegistered = true;
  addWorkerSetup(async (pid) => {
    for (const m of setupModules) await remotecallFetch(pid, importHere, m);
  });
}

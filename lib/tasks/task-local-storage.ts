// task_local_storage in its three forms, over the current task's own Map.
import { currentTask } from './task.js';
import { isThenable } from './thenable.js';

/** Reads `key` in the current task's storage. */
export function taskLocalStorage(key: unknown): unknown;
/** Sets `key` to `value` in the current task's storage; returns `value`. */
export function taskLocalStorage<V>(key: unknown, value: V): V;
/**
 * Runs `body` with `key` set to `value`, then restores the previous value (or
 * its absence) when body returns, throws, or -- if async -- settles.
 */
export function taskLocalStorage<R>(body: () => R, key: unknown, value: unknown): R;
export function taskLocalStorage(...args: unknown[]): unknown {
  const storage = currentTask().storage;
  if (args.length === 1) return storage.get(args[0]);
  if (args.length === 2) {
    storage.set(args[0], args[1]);
    return args[1];
  }
  if (args.length === 3) {
    const [body, key, value] = args;
    if (typeof body !== 'function') {
      throw new TypeError('taskLocalStorage(body, key, value): body must be a function');
    }
    const had = storage.has(key);
    const prev = storage.get(key);
    const restore = (): void => {
      if (had) storage.set(key, prev);
      else storage.delete(key);
    };
    storage.set(key, value);
    let r: unknown;
    try {
      r = (body as () => unknown)();
    } catch (e) {
      restore();
      throw e;
    }
    if (isThenable(r)) {
      return Promise.resolve(r).finally(restore);
    }
    restore();
    return r;
  }
  throw new TypeError(`taskLocalStorage: expected (key), (key, value) or (body, key, value), got ${args.length} arguments`);
}

// The seed's switch points over Promises: yieldto, a bare wait(), and
// produce/consume. A task "suspended" at one is an async function awaiting the
// Promise its next switch resolves (Task._park / Task._resume).
import { Task, checkTask, currentTask } from './task.js';

/**
 * Switches to `t`: the first switch calls its function; later ones make its
 * pending `yieldto` (or bare `wait()`) return `arg`. Resolves with what the
 * next switch back to the current task passes.
 */
export function yieldto(t: Task<unknown>, arg?: unknown): Promise<unknown> {
  checkTask(t, 'yieldto');
  const self = currentTask();
  if (t === self) return Promise.resolve(arg);
  t._checkResumable();
  const parked = self._park();
  t._resume(arg);
  return parked;
}

/** The bare `wait()`: parks the current task until `schedule(t, val)` or `yieldto(t, val)`. */
export function waitForSwitch(): Promise<unknown> {
  return currentTask()._park();
}

/**
 * Receives the next value the producer task passes to `produce` (starting it
 * if needed). Extra `values` are what the producer's pending `produce` returns
 * (one value as itself, several as an array). On a finished producer it
 * resolves with the task's result (rejects with its error).
 */
export function consume(producer: Task<unknown>, ...values: unknown[]): Promise<unknown> {
  checkTask(producer, 'consume');
  const passed = values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  return producer._consume(passed).then((r) => r.value);
}

/** Hands `value` to the waiting (or next) consumer; resolves with what the next consume passes. */
export function produce(value: unknown): Promise<unknown> {
  return currentTask()._produce(value);
}

// Task: a function run on Node's event loop, with the seed's life cycle
// (created -> scheduled -> running -> done | failed), switch points
// (yieldto, produce/consume, a bare wait()) and its own local storage.
//
// The scheduler is the event loop itself: scheduling queues a microtask, and a
// task "suspended" at a switch point is an async function awaiting a Promise
// that the next switch to it resolves. `currentTask()` rides on
// AsyncLocalStorage, so it follows the task through every await; code outside
// any task belongs to the root task.
import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidStateException } from '../errors.js';
import { isThenable } from './thenable.js';
import { kFetch, kIsReady, kWait, type WaitOptions } from './protocol.js';
import { setInterruptSource, type BlockedWait, type Interruptible } from './interrupt.js';
import { describe } from './wait-options.js';
import { WaitQueue } from './wait-queue.js';

/**
 * Where a task is in its life. `waiting` means parked at a switch point
 * (yieldto, produce, a bare wait()) where `schedule(t, val)` resumes it; a task
 * awaiting anything else (a Channel, a lock, sleep, any Promise) is `running`.
 */
export type TaskState = 'created' | 'scheduled' | 'running' | 'waiting' | 'done' | 'failed';

/** Options of `schedule(t, val, { error })`. */
export interface ScheduleOptions {
  /** Deliver `val` as an exception to the task instead of a value. */
  error?: boolean;
}

const taskStore = new AsyncLocalStorage<Task<unknown>>();

interface Park {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Consumer {
  values: unknown;
  resolve(r: ConsumeResult): void;
  reject(error: unknown): void;
}
/** What a consumer receives: a produced value, or the end of the producer. */
export interface ConsumeResult {
  value: unknown;
  produced: boolean;
}

let nextId = 1;
const kRoot = Symbol('loom.rootTask');

/**
 * A unit of cooperative work. `new Task(fn)` creates it without running it;
 * `schedule(t)` (or the first `yieldto(t)` / `consume(t)`) starts it.
 * `wait(t)` / `fetch(t)` resolve with its result or reject with its error,
 * the very error object it threw (with the task's own stack).
 */
export class Task<T = unknown> implements AsyncIterable<unknown>, Interruptible {
  /** A number for messages and debugging; the root task is 0. */
  readonly id: number;
  /** Task-local storage (see `taskLocalStorage`). */
  readonly storage = new Map<unknown, unknown>();
  // Fields hold `unknown` so that Task<T> stays covariant in T (a Task<never> is a Task<unknown>).
  #fn: (() => unknown) | undefined;
  #state: TaskState = 'created';
  #result: unknown;
  #exception: unknown;
  #startError: { error: unknown } | undefined;
  #done: WaitQueue<unknown> | undefined;
  #park: Park | undefined;
  #consumers: Consumer[] = [];
  // The loom waits this task is blocked in now (several under Promise.all),
  // an intrusive list through the waits themselves; `schedule(this, err,
  // { error: true })` cancels them. No Set, array or closure: this runs on
  // every blocking wait.
  #blocked: BlockedWait | undefined;

  constructor(fn: () => T | PromiseLike<T>);
  /** @internal the root task */
  constructor(fn: typeof kRoot);
  constructor(fn: (() => T | PromiseLike<T>) | typeof kRoot) {
    if (fn === kRoot) {
      this.id = 0;
      this.#state = 'running';
      return;
    }
    if (typeof fn !== 'function') throw new TypeError(`Task: fn must be a function, got ${describe(fn)}`);
    this.id = nextId++;
    this.#fn = fn;
  }

  get state(): TaskState {
    return this.#state;
  }
  /** True once its function has been called. */
  get started(): boolean {
    return this.#state !== 'created' && this.#state !== 'scheduled';
  }
  /** True once it returned or threw. */
  get done(): boolean {
    return this.#state === 'done' || this.#state === 'failed';
  }
  get failed(): boolean {
    return this.#state === 'failed';
  }
  /** Its return value, once done. */
  get result(): T | undefined {
    return this.#result as T | undefined;
  }
  /** What it threw, once failed. */
  get exception(): unknown {
    return this.#exception;
  }

  toString(): string {
    return this.id === 0 ? 'Task(root)' : `Task(${this.id}, ${this.#state})`;
  }

  /** @internal used by schedule() */
  _schedule(val: unknown, error: boolean, hasVal: boolean): void {
    switch (this.#state) {
      case 'created':
        this.#state = 'scheduled';
        if (error) this.#startError = { error: val };
        queueMicrotask(() => this._start());
        return;
      case 'waiting': {
        const park = this.#park!;
        this.#park = undefined;
        this.#state = 'running';
        if (error) park.reject(val);
        else park.resolve(hasVal ? val : undefined);
        return;
      }
      case 'scheduled':
        throw new InvalidStateException(`schedule: ${this} is already scheduled`, 'scheduled');
      case 'running':
        if (error && this.#blocked !== undefined) {
          // Cancelling unlinks each wait (via _unblock), so always take the head.
          while (this.#blocked !== undefined) this.#blocked.cancel(val);
          return;
        }
        throw new InvalidStateException(`schedule: ${this} is already running`, 'running');
      default:
        throw new InvalidStateException(`schedule: ${this} is already done`, 'done');
    }
  }

  /** @internal Calls the task's function now (first switch), if not yet started. */
  _start(): void {
    if (this.started) return;
    this.#state = 'running';
    const fn = this.#fn!;
    this.#fn = undefined;
    const startError = this.#startError;
    if (startError !== undefined) {
      this.#startError = undefined;
      this.#fail(startError.error);
      return;
    }
    let r: unknown;
    try {
      r = taskStore.run(this as Task<unknown>, fn);
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (isThenable(r)) {
      // Handling the rejection here is what keeps an unwatched failed task from
      // crashing the process: its error is kept for wait/fetch instead.
      Promise.resolve(r).then(
        (v) => this.#finish(v),
        (e) => this.#fail(e),
      );
    } else this.#finish(r);
  }

  #finish(v: unknown): void {
    this.#state = 'done';
    this.#result = v;
    this.#park = undefined;
    this.#done?.wakeAll(v);
    if (this.#consumers.length === 0) return;
    const consumers = this.#consumers.splice(0);
    for (const c of consumers) c.resolve({ value: v, produced: false });
  }

  #fail(e: unknown): void {
    this.#state = 'failed';
    this.#exception = e;
    this.#park = undefined;
    this.#done?.rejectAll(e);
    if (this.#consumers.length === 0) return;
    const consumers = this.#consumers.splice(0);
    for (const c of consumers) c.reject(e);
  }

  /** @internal see interrupt.ts */
  _block(wait: BlockedWait): void {
    const head = this.#blocked;
    wait.blockedPrev = undefined;
    wait.blockedNext = head;
    if (head !== undefined) head.blockedPrev = wait;
    this.#blocked = wait;
  }

  /** @internal see interrupt.ts; called exactly once per _block. */
  _unblock(wait: BlockedWait): void {
    const { blockedPrev: prev, blockedNext: next } = wait;
    if (prev === undefined) this.#blocked = next;
    else prev.blockedNext = next;
    if (next !== undefined) next.blockedPrev = prev;
    wait.blockedPrev = wait.blockedNext = undefined;
  }

  /** @internal Parks this (the current) task until something switches back to it. */
  _park(): Promise<unknown> {
    if (this.#park !== undefined) {
      throw new InvalidStateException(`${this} is already waiting at a switch point`, 'waiting');
    }
    return new Promise((resolve, reject) => {
      this.#park = { resolve, reject };
      if (this.#state === 'running') this.#state = 'waiting';
    });
  }

  /** @internal Switches to this task: starts it, or resumes its pending switch point with `arg`. */
  _resume(arg: unknown): void {
    if (this.#state === 'created' || this.#state === 'scheduled') {
      this._start();
    } else if (this.#state === 'waiting') {
      this._schedule(arg, false, true);
    } else if (this.done) {
      throw new InvalidStateException(`yieldto: cannot switch to ${this}: it has exited`, 'done');
    } else {
      throw new InvalidStateException(`yieldto: cannot switch to ${this}: it is running and not waiting at a switch point`, 'running');
    }
  }

  /** @internal checks that _resume would succeed, before the caller parks itself. */
  _checkResumable(): void {
    if (this.done) throw new InvalidStateException(`yieldto: cannot switch to ${this}: it has exited`, 'done');
    if (this.#state === 'running') {
      throw new InvalidStateException(`yieldto: cannot switch to ${this}: it is running and not waiting at a switch point`, 'running');
    }
  }

  /** @internal consume(): queue a consumer and switch to the producer. */
  _consume(values: unknown): Promise<ConsumeResult> {
    if (this.#state === 'done') return Promise.resolve({ value: this.#result, produced: false });
    if (this.#state === 'failed') return Promise.reject(this.#exception);
    return new Promise<ConsumeResult>((resolve, reject) => {
      this.#consumers.push({ values, resolve, reject });
      if (!this.started) this._start();
      else if (this.#state === 'waiting') this._schedule(undefined, false, false);
    });
  }

  /** @internal produce() in this (the current) task. */
  async _produce(value: unknown): Promise<unknown> {
    while (this.#consumers.length === 0) await this._park();
    this.#consumers.shift()!.resolve({ value, produced: true });
    // produce returns what the next consumer passes along, once it arrives.
    while (this.#consumers.length === 0) await this._park();
    return this.#consumers[0]!.values;
  }

  /** Resolves with the result once done; rejects with the task's error. */
  [kWait](options?: WaitOptions): Promise<T> {
    if (this.#state === 'done') return Promise.resolve(this.#result as T);
    if (this.#state === 'failed') return Promise.reject(this.#exception);
    if (this === taskStore.getStore()) {
      return Promise.reject(new InvalidStateException(`wait: deadlock: ${this} cannot wait for itself to finish`, 'running'));
    }
    this.#done ??= new WaitQueue<unknown>(`wait on Task ${this.id}`);
    return this.#done.wait(options) as Promise<T>;
  }

  /**
   * @internal Settles with the task, without counting as a wait of the
   * current task (an interrupt of the caller must not cancel it): sync's tracking.
   */
  _whenDone(): Promise<T> {
    if (this.#state === 'done') return Promise.resolve(this.#result as T);
    if (this.#state === 'failed') return Promise.reject(this.#exception);
    this.#done ??= new WaitQueue<unknown>(`wait on Task ${this.id}`);
    return this.#done.wait(undefined, undefined, null) as Promise<T>;
  }

  [kFetch](options?: WaitOptions): Promise<T> {
    return this[kWait](options);
  }

  /** A task is ready once it is done. */
  [kIsReady](): boolean {
    return this.done;
  }

  /** Iterates what the task produces (`consume` until it returns). */
  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return {
      next: () =>
        this._consume(undefined).then((r): IteratorResult<unknown> =>
          r.produced ? { value: r.value, done: false } : { value: undefined, done: true },
        ),
    };
  }
}

setInterruptSource(() => taskStore.getStore());

/** The task of code that runs outside any task. */
export const rootTask: Task<unknown> = new Task<unknown>(kRoot);

/** The task running now (the root task outside any task). */
export function currentTask(): Task<unknown> {
  return taskStore.getStore() ?? rootTask;
}

/** `@task`: a Task created, not started. */
export function task<T>(fn: () => T | PromiseLike<T>): Task<T> {
  return new Task(fn);
}

export function istaskdone(t: Task<unknown>): boolean {
  return checkTask(t, 'istaskdone').done;
}

export function istaskstarted(t: Task<unknown>): boolean {
  return checkTask(t, 'istaskstarted').started;
}

export function istaskfailed(t: Task<unknown>): boolean {
  return checkTask(t, 'istaskfailed').failed;
}

/**
 * Queues a task on the event loop (`schedule(t)`), or wakes a task waiting at a
 * switch point (yieldto, produce, a bare `wait()`) with `val`. With
 * `{ error: true }`, `val` is raised as an exception in the task: at its switch
 * point, in every loom wait it is blocked in (Condition, Channel, lock, task,
 * sleep), or at its start if it has not started. `schedule(fn)` is `@schedule`:
 * wraps fn in a Task and schedules it. Scheduling a task that is already
 * scheduled, running (and not so interruptible) or done throws.
 */
export function schedule<T>(t: Task<T> | (() => T | PromiseLike<T>), val?: unknown, options?: ScheduleOptions): Task<T> {
  if (typeof t === 'function') t = new Task(t);
  else checkTask(t, 'schedule');
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`schedule: options must be an object like { error }, got ${describe(options)}`);
  }
  t._schedule(val, options?.error === true, arguments.length >= 2);
  return t;
}

/** @internal the TypeError every Task-taking function throws for a non-Task. */
export function checkTask(t: unknown, who: string): Task<unknown> {
  if (!(t instanceof Task)) throw new TypeError(`${who}: expected a Task, got ${describe(t)}`);
  return t;
}

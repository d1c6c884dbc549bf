// The tasks layer: everything that runs inside one process.
export { kWait, kFetch, kIsReady, kPut, kTake, kClose } from './protocol.js';
export type { WaitOptions, Waitable, Fetchable, Readiable, Puttable, Takeable, Closable } from './protocol.js';
export { WaitQueue } from './wait-queue.js';
export { checkWaitOptions } from './wait-options.js';
export {
  Task,
  task,
  rootTask,
  currentTask,
  schedule,
  istaskdone,
  istaskstarted,
  istaskfailed,
} from './task.js';
export type { TaskState, ScheduleOptions } from './task.js';
export { yieldto, produce, consume } from './switching.js';
export { taskLocalStorage } from './task-local-storage.js';
export { Condition, notify } from './condition.js';
export type { NotifyOptions } from './condition.js';
export { ReentrantLock, lock, unlock, trylock, islocked, withLock } from './reentrant-lock.js';
export { Channel } from './channel.js';
export { sleep, yieldNow } from './sleep.js';
export { timedwait } from './timedwait.js';
export type { TimedWaitResult, TimedWaitOptions } from './timedwait.js';
export { sync, asyncTask, trackInSync, inSync } from './sync.js';
export { wait, fetch, isready, put, take, close } from './verbs.js';

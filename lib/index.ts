// The public API of loom, in one place: every entry of the seed chapter is
// reachable from here (see README.md for the table of names).
export { nativeAvailable, nativeLoadError } from './native.js';
export {
  CompositeException,
  InvalidStateException,
  RemoteException,
  ProcessExitedException,
  InterruptException,
  TimeoutError,
} from './errors.js';
export type { WaitOptions, Waitable } from './tasks/protocol.js';

// Tasks in one process (lib/tasks).
export {
  Task,
  task,
  currentTask,
  schedule,
  yieldto,
  produce,
  consume,
  istaskdone,
  istaskstarted,
  istaskfailed,
  taskLocalStorage,
  Condition,
  notify,
  ReentrantLock,
  lock,
  unlock,
  trylock,
  islocked,
  withLock,
  Channel,
  sleep,
  yieldNow,
  timedwait,
  sync,
  asyncTask,
  wait,
  fetch,
  isready,
  put,
  take,
  close,
} from './tasks/index.js';
export type { TaskState, ScheduleOptions, NotifyOptions, TimedWaitResult, TimedWaitOptions } from './tasks/index.js';

// The process group (lib/cluster).
export {
  addprocs,
  rmprocs,
  interrupt,
  myid,
  nprocs,
  nworkers,
  workers,
  ClusterManager,
  LocalManager,
  SSHManager,
  WorkerConfig,
  initWorker,
  processMessages,
} from './cluster/index.js';
export type {
  AddprocsOptions,
  RmprocsOptions,
  RmprocsResult,
  LaunchParams,
  ManageOp,
  MachineSpec,
  Topology,
  TopologyOption,
} from './cluster/index.js';

// The half-open index range the API takes (parallelFor, splitrange, localindexes).
export { Range, toRange } from './range.js';
export type { RangeLike } from './range.js';

// Remote calls, futures, pmap, parallelFor, everywhere (lib/remote).
export {
  Future,
  RemoteChannel,
  RemoteRef,
  RemoteReference,
  remotecall,
  remotecallWait,
  remotecallFetch,
  remoteDo,
  spawn,
  spawnat,
  fetchspawn,
  fetchfrom,
  pmap,
  parallelFor,
  splitrange,
  everywhere,
  remoteFn,
} from './remote/index.js';
export type {
  RemoteCallable,
  PmapOptions,
  ParallelForOptions,
  Reducer,
  EverywhereOptions,
  RemoteFunction,
} from './remote/index.js';

// Shared memory across processes of one host (lib/shared). `procs()` lives here:
// without an argument it is the cluster's, with a SharedArray it lists its pids.
export {
  SharedArray,
  SharedChannel,
  sdata,
  indexpids,
  localindexes,
  procs,
  reapDeadSegments,
} from './shared/index.js';
export type {
  SharedArrayInit,
  SharedArrayOptions,
  SharedArrayCreateOptions,
  SharedArrayFileOptions,
  SharedChannelOptions,
  Dims,
  ElementOf,
  ElementTypeName,
  SharedTypedArray,
  TypedArrayConstructor,
  FileMode,
  SharedArrayBacking,
  HasPids,
} from './shared/index.js';
// The lock-free ring under SharedChannel (native/ring.h and its TS twin), for
// byte messages between processes or threads over a Mapping or a SharedArrayBuffer.
export { Ring, RingClosedError, RingFormatError } from './shared/ring.js';
export type { RingImpl, RingOptions, RingWaitOptions, RingFormatErrorCode } from './shared/ring.js';

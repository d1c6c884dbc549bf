// The remote layer: futures and remote channels, remote calls, spawn, pmap,
// parallelFor, everywhere, and how functions and errors cross processes.
export { Future } from './future.js';
export { RemoteChannel, RemoteRef } from './remote-channel.js';
export { RemoteReference } from './reference.js';
export { remotecall, remotecallWait, remotecallFetch, remoteDo, type RemoteCallable } from './remotecall.js';
export { spawn, spawnat, fetchspawn, fetchfrom, nextproc } from './spawn.js';
export { pmap, type PmapOptions } from './pmap.js';
export { parallelFor, type ParallelForOptions, type Reducer } from './parallel-for.js';
export { splitrange } from './splitrange.js';
export { everywhere, type EverywhereOptions } from './everywhere.js';
export { remoteFn, shippingStats, type RemoteFunction, type ShippingStats } from './function-shipping.js';
export { ownedRefCount } from './refcount.js';

// lib/shared: SharedArray (over POSIX shared memory or a file) and SharedChannel
// (a cross-process channel on the lock-free ring). Importing this layer registers
// their cross-process handles and reaps segments left by dead creators.
import './shared-array-handle.js';
import './shared-channel-create.js';
import { reapDeadSegments } from './reaper.js';

reapDeadSegments();

export {
  SharedArray,
  sdata,
  indexpids,
  localindexes,
  procsOf,
  type SharedArrayInit,
  type SharedArrayOptions,
  type SharedArrayCreateOptions,
  type SharedArrayFileOptions,
} from './shared-array.js';
export { SharedChannel, type SharedChannelOptions } from './shared-channel.js';
export type { Dims } from './dims.js';
export type { ElementOf, ElementTypeName, SharedTypedArray, TypedArrayConstructor } from './element-types.js';
export type { FileMode } from './file-mode.js';
export type { SharedArrayBacking } from './shared-array-wire.js';
export { reapDeadSegments } from './reaper.js';
export { procs, type HasPids } from './procs.js';

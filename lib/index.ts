// The public API of loom, in one place: every entry of the seed chapter is
// reachable from here (see README.md for the table of names).
export { nativeAvailable, nativeLoadError } from './native.js';
export {
  CompositeException,
  InvalidStateException,
  RemoteException,
  ProcessExitedException,
  InterruptException,
} from './errors.js';
export type { WaitOptions, Waitable } from './tasks/protocol.js';

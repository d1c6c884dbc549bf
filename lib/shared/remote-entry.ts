// Functions the shared layer runs on other processes by reference (remoteFn):
// this module's URL is importable by every process on the host.

/** Does nothing: a SharedArray or SharedChannel given as argument is mapped on arrival. */
export function attach(): void {}

export { hostIdentity } from './host-identity.js';

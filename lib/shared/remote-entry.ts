// Functions the shared layer runs on other processes by reference (remoteFn):
// this module's URL is importable by every process on the host.

/**
 * A SharedArray or SharedChannel given as argument was mapped on arrival; this
 * throws why not, if that failed, so that the creator hears of it.
 */
export function attach(shared: { assertMapped?: () => void }): void {
  shared.assertMapped?.();
}

export { hostIdentity } from './host-identity.js';

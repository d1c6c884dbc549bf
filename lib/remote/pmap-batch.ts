// The worker side of pmap: fn over one batch of items, sent as column slices.
// Failures stay per item (index in the batch, error), and the batch reports
// how long its work took so that the scheduler can size the next ones.
import { myid } from '../cluster/index.js';
import { captureRemote, encodeError, type WireError } from './errors-wire.js';
import { explainMissing, registerBuiltin } from './function-shipping.js';
import { isThenable } from '../tasks/thenable.js';

export interface BatchResult {
  /** Values in item order (undefined where the item failed). */
  v: unknown[];
  /** Failed items: [index in batch, error]. */
  x?: [number, WireError][];
  /** Milliseconds of work on the process that ran it. */
  t: number;
}


/**
 * Runs fn over one batch on the process it was sent to; failures stay per
 * item. Synchronous while the items are (no Promise per item or per batch);
 * continues asynchronously from the first item that returns a Promise.
 */
export const pmapBatch = registerBuiltin(
  'pmap.batch',
  (fn: (...args: unknown[]) => unknown, cols: ArrayLike<unknown>[]): BatchResult | Promise<BatchResult> => {
    const t0 = performance.now();
    const n = cols[0]!.length;
    const out = new Array<unknown>(n);
    const errs: [number, WireError][] = [];
    const c0 = cols[0]!;
    const one = cols.length === 1;
    const call = (k: number): unknown => (one ? fn(c0[k]) : fn(...cols.map((c) => c[k])));
    const failed = (k: number, e: unknown) => errs.push([k, encodeError(captureRemote(myid(), explainMissing(e, myid())))]);
    const finish = (): BatchResult => (errs.length > 0 ? { v: out, x: errs, t: performance.now() - t0 } : { v: out, t: performance.now() - t0 });
    for (let k = 0; k < n; k++) {
      let v: unknown;
      try {
        v = call(k);
      } catch (e) {
        failed(k, e);
        continue;
      }
      if (!isThenable(v)) {
        out[k] = v;
        continue;
      }
      return (async () => {
        for (let j = k; j < n; j++) {
          try {
            out[j] = await (j === k ? v : call(j));
          } catch (e) {
            failed(j, e);
          }
        }
        return finish();
      })();
    }
    return finish();
  },
);

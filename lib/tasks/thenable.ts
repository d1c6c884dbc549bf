// What every layer treats as "returned a promise": an object or function with
// a callable `then` (a thenable, as `await` and Promise.resolve see it).
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

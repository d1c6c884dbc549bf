// A worker loads the layers above the cluster only when something needs them:
// `loom-worker` registers the load here (a synchronous require of the library)
// instead of running it before it joins. The first message of a type nobody
// here answers yet, or the first handle whose tag nobody registered yet, runs
// it (membership.ts, serializer.ts); so does anything that asks for it
// explicitly. Either way it is the library's one module graph: user code that
// imports `loom` on the worker gets these very instances.

let pending: (() => void) | null = null;

/** Registers the load to run on first need (internal: the worker entry). */
export function deferLibraryLoad(load: () => void): void {
  pending = load;
}

/** Whether a load is registered and has not run yet. */
export function libraryDeferred(): boolean {
  return pending !== null;
}

/** Runs the deferred load now, if there is one still to run; a second call does nothing. */
export function loadDeferredLibrary(): void {
  const load = pending;
  if (load === null) return;
  pending = null;
  load();
}

// How the worker runtime, which loads before the layers above, reaches the
// SIGINT handling of interruptible.ts, which loads with them (library.cjs):
// interruptible.ts provides its installer here when it loads.
let install: (() => void) | null = null;

/** Called by interruptible.ts at load. */
export function provideInterruptHandling(installer: () => void): void {
  install = installer;
}

/** The installer, once interruptible.ts has loaded; null before. */
export function interruptHandling(): (() => void) | null {
  return install;
}

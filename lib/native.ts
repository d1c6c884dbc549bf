// The only file that loads the addon. Everything native goes through here, so
// the pure-TS fallback (LOOM_NATIVE=0, or a failed build) is decided once.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeBinding {
  abiVersion: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function load(): { binding: NativeBinding | undefined; error: Error | undefined } {
  if (process.env.LOOM_NATIVE === '0') return { binding: undefined, error: undefined };
  try {
    const require = createRequire(import.meta.url);
    return { binding: require(path.join(root, 'build', 'Release', 'loom.node')) as NativeBinding, error: undefined };
  } catch (e) {
    const error = e as Error;
    process.emitWarning(
      `loom: the native addon could not be loaded (${error.message}); using the pure-TS fallback`,
      { code: 'LOOM_NO_NATIVE' },
    );
    return { binding: undefined, error };
  }
}

const loaded = load();
/** The addon, or undefined on the pure-TS path. */
export const native: NativeBinding | undefined = loaded.binding;
/** True when the addon is loaded and in use. */
export const nativeAvailable: boolean = native !== undefined;
/** Why the addon is not in use, when it failed to load (not set for LOOM_NATIVE=0). */
export const nativeLoadError: Error | undefined = loaded.error;

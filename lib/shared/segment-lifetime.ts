// The segments this process created and has not unlinked yet. Julia's rule: a
// segment is unlinked as soon as every participant has mapped it; until then it
// is tracked here so that a failure, a close, a collection or a normal exit still
// unlinks it. A SIGKILL skips all of this: the reaper of the next loom process
// handles that case, thanks to the creator's pid in the name.
import { shmCreate, shmName, shmUnlink, type Mapping } from '../native.js';

const linked = new Set<string>();

/** A fresh zeroed segment of `byteLength` bytes, named `loom-<pid>-<hex>`, mapped here. */
export function createSegment(byteLength: number): Mapping {
  const mapping = shmCreate(shmName(), byteLength);
  linked.add(mapping.name);
  return mapping;
}

/** Unlinks a segment this process created, once; later calls and unknown names do nothing. */
export function unlinkSegment(name: string): void {
  if (!linked.delete(name)) return;
  try {
    shmUnlink(name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

process.on('exit', () => {
  for (const name of [...linked]) {
    try {
      unlinkSegment(name);
    } catch {
      // Exiting: the reaper of a later process gets whatever is left.
    }
  }
});

// One object per shared thing per process: a SharedArray or SharedChannel received
// again is the one mapped the first time. On the creator the cache holds objects
// weakly, so that dropping the last reference releases them (unlinking a segment
// still linked, telling the other processes to forget theirs); on the other
// processes strongly, until the creator says it let go.
import { myid, onMessage, send, type Message } from '../cluster/index.js';
import { unlinkSegment } from './segment-lifetime.js';

interface Releasable {
  /** True once this process let go of its mapping. */
  readonly released: boolean;
}

/** What the creator must undo once its object is closed or collected. */
export interface Release {
  readonly id: string;
  /** The segment to unlink if that has not happened yet. */
  readonly segment: string | undefined;
  readonly pids: readonly number[];
}

const releaseMessage = 'shared.release';
const cache = new Map<string, Releasable | WeakRef<Releasable>>();

/** The object cached for `id` here, if any and not released. */
export function cachedShared<T extends Releasable>(id: string): T | undefined {
  const entry = cache.get(id);
  const obj = entry instanceof WeakRef ? entry.deref() : entry;
  if (obj === undefined || obj.released) {
    cache.delete(id);
    return undefined;
  }
  return obj as T;
}

function release({ id, segment, pids }: Release): void {
  if (segment !== undefined) unlinkSegment(segment);
  cache.delete(id);
  const me = myid();
  for (const p of pids) {
    if (p === me) continue;
    try {
      send(p, { type: releaseMessage, id });
    } catch {
      // That process is gone: nothing of it to release.
    }
  }
}

const collected = new FinalizationRegistry<Release>(release);

/**
 * Caches the creator's object weakly and arranges its release on collection;
 * returns what its close() must call.
 */
export function cacheOnCreator(obj: Releasable, what: Release): () => void {
  const token = {};
  collected.register(obj, what, token);
  cache.set(what.id, new WeakRef(obj));
  return () => {
    collected.unregister(token);
    release(what);
  };
}

/** Caches a participant's object strongly; returns what its close() must call. */
export function cacheOnParticipant(id: string, obj: Releasable): () => void {
  cache.set(id, obj);
  return () => {
    if (cache.get(id) === obj) cache.delete(id);
  };
}

onMessage(releaseMessage, (msg: Message) => {
  // The creator let go: forget the object here. Its memory stays mapped while this
  // process still holds the object or a typed array over it (unmapped when collected).
  if (typeof msg.id === 'string') cache.delete(msg.id);
});

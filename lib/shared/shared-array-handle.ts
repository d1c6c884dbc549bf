// How a SharedArray crosses processes: as its description (SharedArrayWire), mapped
// again on arrival and cached, so that every process holds one SharedArray per
// array however often it receives it. Only processes among its pids (and its
// creator) may receive it; anything else is refused on the sending side.
import { myid, registerHandle } from '../cluster/index.js';
import { mapFile, shmOpen, type Mapping } from '../native.js';
import { attachMode } from './file-mode.js';
import { cacheOnCreator, cacheOnParticipant, cachedShared } from './participant-cache.js';
import { SharedArray } from './shared-array.js';
import { isSharedArrayWire, type SharedArrayWire } from './shared-array-wire.js';

/** Builds the creator's SharedArray over memory it just made, and registers it for cleanup. */
export function newCreatorArray(wire: SharedArrayWire, mapping: Mapping | undefined, buffer: ArrayBufferLike): SharedArray {
  let onClose = (): void => {};
  const S = new SharedArray({ wire, mapping, buffer, myid: myid(), onClose: () => onClose() });
  onClose = cacheOnCreator(S, { id: wire.id, segment: wire.backing === 'shm' ? wire.name : undefined, pids: wire.pids });
  return S;
}

/**
 * A participant's SharedArray over a mapping of its own. A failure to map does not
 * throw here (a throwing decoder would fail the whole connection): the SharedArray
 * comes back unusable, and its first use throws the reason.
 */
function attachArray(wire: SharedArrayWire): SharedArray {
  const me = myid();
  let mapping: Mapping | undefined;
  let failure: Error | undefined;
  if (wire.byteLength > 0) {
    try {
      mapping =
        wire.backing === 'shm'
          ? shmOpen(wire.name, wire.byteLength)
          : mapFile(wire.name, attachMode(wire.mode), wire.offset, wire.byteLength);
    } catch (e) {
      failure =
        wire.backing === 'shm' && (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(
              `SharedArray ${wire.id} (created by process ${wire.creator}) cannot be mapped on process ${me}: ` +
                `its segment was unlinked once all of its pids [${wire.pids.join(', ')}] had mapped it, ` +
                `and this process has closed its own mapping since`,
              { cause: e },
            )
          : (e as Error);
    }
  }
  let onClose = (): void => {};
  const S = new SharedArray({ wire, mapping, buffer: mapping?.buffer ?? new ArrayBuffer(0), myid: me, onClose: () => onClose(), failure });
  if (failure === undefined) onClose = cacheOnParticipant(wire.id, S);
  return S;
}

/** Refuses to send S where it is not mapped; a clear error that names the pids. */
function encode(S: SharedArray, to: number): SharedArrayWire {
  if (S.closed) throw new Error(`cannot send ${S} to process ${to}: it is closed on process ${myid()}`);
  if (S.backing === 'local') {
    throw new Error(
      `cannot send ${S} to process ${to}: without loom's native addon it lives in process ${S.creator}'s memory only`,
    );
  }
  if (!S.pids.includes(to) && to !== S.creator) {
    throw new Error(
      `cannot send ${S} to process ${to}: a SharedArray is mapped only by its pids [${S.pids.join(', ')}]; ` +
        `create it with pids that include ${to} (all on one host)`,
    );
  }
  return S.wire;
}

function decode(data: unknown): unknown {
  if (!isSharedArrayWire(data)) return new TypeError('a malformed SharedArray was received');
  return cachedShared<SharedArray>(data.id) ?? attachArray(data);
}

registerHandle<SharedArray>({
  tag: 'sharedarray',
  is: (v): v is SharedArray => v instanceof SharedArray,
  encode,
  decode,
});

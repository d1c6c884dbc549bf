// SharedChannel.create and how a SharedChannel travels: a segment holding one
// ring, mapped by every process of its pids and then unlinked at once (the rule
// of SharedArray), described on the wire by name and shape.
import { myid, registerHandle } from '../cluster/index.js';
import { nativeAvailable, shmOpen, type Mapping } from '../native.js';
import { cacheOnCreator, cacheOnParticipant, cachedShared } from './participant-cache.js';
import { mapOnAll, resolvePids } from './participants.js';
import { Ring } from './ring.js';
import { createSegment, unlinkSegment } from './segment-lifetime.js';
import { MAX_CAPACITY, MAX_SLOT_SIZE } from './ring-layout.js';
import { checkOptions as checkKnownOptions, freshId, needsAddon } from './shared-array-create.js';
import { SharedChannel, type SharedChannelOptions, type SharedChannelWire } from './shared-channel.js';

function checkCapacity(capacity: unknown): number {
  if (capacity === undefined) return 32;
  if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw new RangeError(`capacity must be an integer from 1 to 2^28, got ${String(capacity)}`);
  }
  // The ring's index arithmetic needs a power of two.
  return 2 ** Math.ceil(Math.log2(capacity));
}

function checkOptions(options: unknown): { slotSize: number; pids: unknown; impl: 'native' | 'ts'; spin: number } {
  const defaultImpl = nativeAvailable ? 'native' : 'ts';
  const known = checkKnownOptions(options, ['slotSize', 'pids', 'impl', 'spin'], 'SharedChannel.create');
  const { slotSize = 4096, pids, impl = defaultImpl, spin = 0 } = known as SharedChannelOptions;
  if (typeof spin !== 'number' || !Number.isFinite(spin) || spin < 0) {
    throw new RangeError(`spin must be a non-negative number of microseconds, got ${String(spin)}`);
  }
  if (impl !== 'native' && impl !== 'ts') throw new RangeError(`impl must be 'native' or 'ts', got ${String(impl)}`);
  if (impl === 'native' && !nativeAvailable) throw needsAddon("SharedChannel.create with impl 'native'");
  if (typeof slotSize !== 'number' || !Number.isSafeInteger(slotSize) || slotSize < 16 || slotSize > MAX_SLOT_SIZE) {
    throw new RangeError(`slotSize must be an integer from 16 to 2^24 bytes, got ${String(slotSize)}`);
  }
  return { slotSize, pids, impl, spin };
}

export async function createSharedChannel<T>(capacity?: number, options?: SharedChannelOptions): Promise<SharedChannel<T>> {
  const cap = checkCapacity(capacity);
  const { slotSize, pids: pidsOption, impl, spin } = checkOptions(options);
  const pids = await resolvePids(pidsOption);
  const me = myid();
  const byteLength = Ring.bytesNeeded(cap, slotSize);
  let mapping: Mapping | undefined;
  let buffer: ArrayBuffer | SharedArrayBuffer;
  if (nativeAvailable) {
    mapping = createSegment(byteLength);
    buffer = mapping.buffer;
  } else {
    if (pids.some((p) => p !== me)) throw needsAddon(`SharedChannel.create with pids [${pids.join(', ')}] (a channel across processes)`);
    buffer = new SharedArrayBuffer(byteLength);
  }
  const id = mapping?.name ?? freshId();
  const wire: SharedChannelWire = { id, backing: mapping ? 'shm' : 'local', name: id, byteLength, capacity: cap, slotSize, pids, creator: me, impl, spin };
  let onRelease = (): void => {};
  let ch: SharedChannel<T>;
  try {
    const ring = Ring.create(buffer, 0, cap, slotSize, { impl, spin });
    ch = new SharedChannel<T>({ wire, mapping, ring, onRelease: () => onRelease() });
  } catch (e) {
    if (mapping) {
      mapping.close();
      unlinkSegment(mapping.name);
    }
    throw e;
  }
  onRelease = cacheOnCreator(ch, { id, segment: mapping?.name, pids });
  try {
    await mapOnAll(ch, pids);
  } catch (e) {
    ch.release();
    throw e;
  } finally {
    if (mapping) unlinkSegment(mapping.name);
  }
  return ch;
}

/** A participant's SharedChannel; a failure to map comes back as a channel that throws it on use. */
function attachChannel(wire: SharedChannelWire): SharedChannel {
  let mapping: Mapping | undefined;
  let ring: Ring | undefined;
  let failure: Error | undefined;
  try {
    mapping = shmOpen(wire.name, wire.byteLength);
    ring = Ring.attach(mapping.buffer, 0, { impl: nativeAvailable ? wire.impl : 'ts', spin: wire.spin });
  } catch (e) {
    mapping?.close();
    mapping = undefined;
    failure =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? new Error(
            `SharedChannel ${wire.id} (created by process ${wire.creator}) cannot be mapped on process ${myid()}: ` +
              `its segment was unlinked once all of its pids [${wire.pids.join(', ')}] had mapped it, ` +
              `and this process has released its own mapping since`,
            { cause: e },
          )
        : (e as Error);
  }
  let onRelease = (): void => {};
  const ch = new SharedChannel({ wire, mapping, ring, onRelease: () => onRelease(), failure });
  if (failure === undefined) onRelease = cacheOnParticipant(wire.id, ch);
  return ch;
}

registerHandle<SharedChannel>({
  tag: 'sharedchannel',
  is: (v): v is SharedChannel => v instanceof SharedChannel,
  encode(ch, to) {
    if (ch.released) throw new Error(`cannot send ${ch} to process ${to}: it was released on process ${myid()}`);
    if (ch.wire.backing === 'local') {
      throw new Error(`cannot send ${ch} to process ${to}: without loom's native addon it lives in process ${ch.creator}'s memory only`);
    }
    if (!ch.pids.includes(to) && to !== ch.creator) {
      throw new Error(
        `cannot send ${ch} to process ${to}: a SharedChannel is mapped only by its pids [${ch.pids.join(', ')}]; ` +
          `create it with pids that include ${to} (all on one host)`,
      );
    }
    return ch.wire;
  },
  decode(data) {
    const wire = data as SharedChannelWire;
    return cachedShared<SharedChannel>(wire.id) ?? attachChannel(wire);
  },
});

// SharedArray.create and SharedArray.fromFile: make the memory on the creator,
// map it on every participant, unlink the segment as soon as all have mapped it
// (or on any failure), then run `init` on the workers.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, statSync } from 'node:fs';
import { mapFile, nativeAvailable, nativeLoadError, type Mapping } from '../native.js';
import { elementCount, normalizeDims, type Dims } from './dims.js';
import { elementConstructor, elementTypeName, type SharedTypedArray, type TypedArrayConstructor } from './element-types.js';
import { isWritableMode, resolveFileMode, resolveFilename, validateOffset } from './file-mode.js';
import { indexWorkers } from './local-indexes.js';
import { mapOnAll, myid, resolvePids, runOnAll } from './participants.js';
import { createSegment, unlinkSegment } from './segment-lifetime.js';
import type { SharedArray, SharedArrayCreateOptions, SharedArrayFileOptions, SharedArrayInit } from './shared-array.js';
import { newCreatorArray } from './shared-array-handle.js';
import type { SharedArrayWire } from './shared-array-wire.js';

/** Why a feature is unavailable without the addon, for error messages. */
export function needsAddon(what: string): Error {
  const why = nativeLoadError ? `it failed to load: ${nativeLoadError.message}` : 'LOOM_NATIVE=0 turned it off';
  return new Error(`${what} needs loom's native addon (${why})`);
}

/** `options` as a record, after checking it is an object with only `allowed` keys. */
export function checkOptions(options: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (known: ${allowed.join(', ')})`);
  }
  return options as Record<string, unknown>;
}

function checkInit<A extends SharedTypedArray>(init: unknown): SharedArrayInit<A> | undefined {
  if (init === undefined || init === null || init === false) return undefined;
  if (typeof init !== 'function') throw new TypeError(`init must be a function (S) => void, got ${typeof init}`);
  return init as SharedArrayInit<A>;
}

/** A name for memory that is not a segment, in the segments' form. */
export function freshId(): string {
  return `loom-${process.pid}-${randomBytes(8).toString('hex')}`;
}

async function mapThenInit<A extends SharedTypedArray>(
  S: SharedArray<A>,
  segment: string | undefined,
  init: SharedArrayInit<A> | undefined,
): Promise<SharedArray<A>> {
  try {
    await mapOnAll(S, S.pids);
  } catch (e) {
    S.close();
    throw e;
  }
  // Julia's rule: every participant has mapped it, so the name has no more use.
  if (segment !== undefined) unlinkSegment(segment);
  if (init) {
    try {
      await runOnAll(init as (x: never) => unknown, S, indexWorkers(S.pids));
    } catch (e) {
      S.close();
      throw e;
    }
  }
  return S;
}

export async function createSharedArray<A extends SharedTypedArray>(
  T: TypedArrayConstructor<A>,
  dims: Dims,
  options?: SharedArrayCreateOptions<A>,
): Promise<SharedArray<A>> {
  const type = elementTypeName(T);
  const shape = normalizeDims(dims);
  const opts = checkOptions(options, ['init', 'pids', 'keepLinked'], 'SharedArray.create');
  if (opts.keepLinked !== undefined && typeof opts.keepLinked !== 'boolean') {
    throw new TypeError(`SharedArray.create: keepLinked must be a boolean, got ${typeof opts.keepLinked}`);
  }
  const init = checkInit<A>(opts.init);
  const pids = await resolvePids(opts.pids);
  const me = myid();
  const byteLength = elementCount(shape) * elementConstructor(type).BYTES_PER_ELEMENT;
  let mapping: Mapping | undefined;
  let buffer: ArrayBufferLike;
  let backing: SharedArrayWire['backing'];
  if (byteLength === 0) {
    backing = 'empty';
    buffer = new ArrayBuffer(0);
  } else if (!nativeAvailable) {
    const others = pids.filter((p) => p !== me);
    if (others.length > 0) throw needsAddon(`SharedArray.create with pids [${pids.join(', ')}] (memory shared across processes)`);
    // One process alone can share plain SharedArrayBuffer memory with its worker threads.
    backing = 'local';
    buffer = new SharedArrayBuffer(byteLength);
  } else {
    backing = 'shm';
    mapping = createSegment(byteLength);
    buffer = mapping.buffer;
  }
  const id = mapping?.name ?? freshId();
  const wire: SharedArrayWire = { id, backing, name: id, type, dims: shape, byteLength, offset: 0, mode: 'r+', pids, creator: me };
  const S = newCreatorArray(wire, mapping, buffer) as SharedArray<A>;
  return mapThenInit(S, opts.keepLinked === true ? undefined : mapping?.name, init);
}

export async function sharedArrayFromFile<A extends SharedTypedArray>(
  filename: string,
  T: TypedArrayConstructor<A>,
  dims: Dims,
  options?: SharedArrayFileOptions<A>,
): Promise<SharedArray<A>> {
  const file = resolveFilename(filename);
  const type = elementTypeName(T);
  const shape = normalizeDims(dims);
  const opts = checkOptions(options, ['offset', 'mode', 'init', 'pids'], 'SharedArray.fromFile');
  const offset = validateOffset(opts.offset);
  const mode = resolveFileMode(opts.mode, file);
  const init = checkInit<A>(opts.init);
  if (init && !isWritableMode(mode)) {
    throw new TypeError(`SharedArray.fromFile: init cannot be given with mode '${mode}': ${file} is mapped read-only`);
  }
  if (!nativeAvailable) throw needsAddon('SharedArray.fromFile (mapping a file)');
  const pids = await resolvePids(opts.pids);
  const byteLength = elementCount(shape) * elementConstructor(type).BYTES_PER_ELEMENT;
  if (mode === 'r') {
    const size = statSync(file).size;
    if (size < offset + byteLength) {
      throw new RangeError(
        `${file} holds ${size} bytes, too few for ${type}[${shape.join('x')}] at offset ${offset} ` +
          `(${offset + byteLength} bytes needed); mode 'r' cannot grow it`,
      );
    }
  }
  let mapping: Mapping | undefined;
  if (byteLength > 0) mapping = mapFile(file, mode, offset, byteLength);
  else closeSync(openSync(file, mode)); // create or truncate as the mode says, as the mapping would
  const wire: SharedArrayWire = {
    id: freshId(),
    backing: 'file',
    name: file,
    type,
    dims: shape,
    byteLength,
    offset,
    mode,
    pids,
    creator: myid(),
  };
  const S = newCreatorArray(wire, mapping, mapping?.buffer ?? new ArrayBuffer(0)) as SharedArray<A>;
  return mapThenInit(S, undefined, init);
}

// SharedArray: a typed array whose memory several processes of one host map at
// once, backed by a POSIX shared memory segment or by a file (the seed's
// `SharedArray(T, dims)` and `SharedArray(filename, T, dims, offset)`).
import type { Mapping } from '../native.js';
import { InvalidStateException } from '../errors.js';
import type { Range } from '../range.js';
import { columnMajorStrides, elementCount, linearIndex, type Dims } from './dims.js';
import {
  elementConstructor,
  type ElementOf,
  type ElementTypeName,
  type SharedTypedArray,
  type TypedArrayConstructor,
} from './element-types.js';
import type { FileMode } from './file-mode.js';
import { indexOfPid, indexWorkers, partitionRange } from './local-indexes.js';
import { createSharedArray, sharedArrayFromFile } from './shared-array-create.js';
import type { SharedArrayBacking, SharedArrayWire } from './shared-array-wire.js';

/** Runs on every worker of the array, each over its `localindexes(S)`, before `create` resolves. */
export type SharedArrayInit<A extends SharedTypedArray> = (S: SharedArray<A>) => unknown;

export interface SharedArrayOptions<A extends SharedTypedArray> {
  /** Called on each participating worker (the master only when it is alone). */
  init?: SharedArrayInit<A>;
  /** Processes that map the array, all on one host; default: every process on this host. */
  pids?: readonly number[];
}

export interface SharedArrayCreateOptions<A extends SharedTypedArray> extends SharedArrayOptions<A> {
  /**
   * Keep the segment's name in /dev/shm (`S.segmentName`) until S is closed or collected on
   * its creator, or the creator exits, instead of unlinking it once every pid mapped it:
   * for processes outside loom that attach by name (Python's multiprocessing.shared_memory).
   */
  keepLinked?: boolean;
}

export interface SharedArrayFileOptions<A extends SharedTypedArray> extends SharedArrayOptions<A> {
  /** Bytes of the file to skip before the array starts (any value, not only page multiples). */
  offset?: number;
  /** `'r'`, `'r+'`, `'w+'` or `'a+'`; default `'r+'` when the file exists, else `'w+'`. */
  mode?: FileMode;
}

/** @internal How this process holds the array's memory. */
export interface SharedArrayStorage {
  readonly wire: SharedArrayWire;
  /** The native mapping; undefined for 'local' and 'empty' backings. */
  readonly mapping: Mapping | undefined;
  readonly buffer: ArrayBufferLike;
  readonly myid: number;
  /** Called once by close(): drops caches, tells the workers on the creator. */
  readonly onClose: (S: SharedArray) => void;
  /** Why this process could not map it (on arrival): every use throws this. */
  readonly failure?: Error;
}

export class SharedArray<A extends SharedTypedArray = SharedTypedArray> {
  /** The shape, column-major (the first index varies fastest), as in Julia and NumPy's `order='F'`. */
  readonly dims: readonly number[];
  /** Number of elements. */
  readonly length: number;
  /** Every process that maps this array. */
  readonly pids: readonly number[];
  /** The name of the element type (`'Float64Array'`, ...). */
  readonly elementType: ElementTypeName;
  /** What backs it: `'shm'`, `'file'`, `'local'` (no addon, one process) or `'empty'` (zero bytes). */
  readonly backing: SharedArrayBacking;
  /** The absolute path of the backing file, for file-backed arrays. */
  readonly filename: string | undefined;
  /** Byte offset of the array in its file (0 otherwise). */
  readonly offset: number;
  readonly mode: FileMode;
  /** loom id of the process that created it. */
  readonly creator: number;
  /** @internal */ readonly id: string;
  readonly #strides: readonly number[];
  readonly #storage: SharedArrayStorage;
  readonly #myid: number;
  #data: A | undefined;
  #failure: Error | undefined;

  /**
   * A zeroed array of `dims` elements of type `T` in a fresh shared memory segment, mapped
   * by every process of `pids`; resolves once all have mapped it and every `init` finished.
   */
  static create<A extends SharedTypedArray>(
    T: TypedArrayConstructor<A>,
    dims: Dims,
    options?: SharedArrayCreateOptions<A>,
  ): Promise<SharedArray<A>> {
    return createSharedArray(T, dims, options);
  }

  /**
   * An array over `filename` (relative to this process's working directory), starting
   * `offset` bytes in, mapped by every process of `pids`. Writes land in the file.
   */
  static fromFile<A extends SharedTypedArray>(
    filename: string,
    T: TypedArrayConstructor<A>,
    dims: Dims,
    options?: SharedArrayFileOptions<A>,
  ): Promise<SharedArray<A>> {
    return sharedArrayFromFile(filename, T, dims, options);
  }

  /** @internal Use `SharedArray.create` or `SharedArray.fromFile`. */
  constructor(storage: SharedArrayStorage) {
    const w = storage.wire;
    this.#storage = storage;
    this.#myid = storage.myid;
    this.id = w.id;
    this.dims = Object.freeze([...w.dims]);
    this.length = elementCount(this.dims);
    this.pids = Object.freeze([...w.pids]);
    this.elementType = w.type;
    this.backing = w.backing;
    this.filename = w.backing === 'file' ? w.name : undefined;
    this.offset = w.offset;
    this.mode = w.mode;
    this.creator = w.creator;
    this.#strides = columnMajorStrides(this.dims);
    this.#failure = storage.failure;
    const T = elementConstructor(w.type);
    if (this.#failure === undefined) this.#data = new T(storage.buffer, 0, this.length) as A;
  }

  /** The POSIX segment's name (without '/') for segment-backed arrays; linked only with `keepLinked`. */
  get segmentName(): string | undefined {
    return this.backing === 'shm' ? this.#storage.wire.name : undefined;
  }

  /** @internal */
  get wire(): SharedArrayWire {
    return this.#storage.wire;
  }

  /** The typed array over the shared memory (`sdata(S)`); throws after `close()`. */
  get data(): A {
    if (this.#data === undefined) throw this.#failure ?? closedError(this);
    return this.#data;
  }

  /** @internal Throws why this process cannot use S (closed, or not mapped on arrival). */
  assertMapped(): void {
    void this.data;
  }

  get closed(): boolean {
    return this.#data === undefined;
  }

  /** @internal Same as `closed`: this process's mapping is gone. */
  get released(): boolean {
    return this.#data === undefined;
  }

  /** The 0-based linear index of the 0-based subscripts (column-major), bounds-checked. */
  index(...idx: number[]): number {
    return linearIndex(this.dims, this.#strides, idx);
  }

  /** The element at 0-based subscripts `(i, j, ...)` or at a linear index `(i)`. */
  get(...idx: number[]): ElementOf<A> {
    const data = this.data;
    return data[linearIndex(this.dims, this.#strides, idx)] as ElementOf<A>;
  }

  /** Stores `value` at 0-based subscripts: `S.set(i, j, value)` (or `S.set(i, value)`). */
  set(...idxAndValue: [...number[], ElementOf<A>]): void {
    const data = this.data;
    if (idxAndValue.length < 2) throw new RangeError('set needs at least one index and a value');
    const value = idxAndValue[idxAndValue.length - 1];
    const idx = idxAndValue.slice(0, -1) as number[];
    (data as unknown as Record<number, ElementOf<A>>)[linearIndex(this.dims, this.#strides, idx)] = value as ElementOf<A>;
  }

  /** The workers that `indexpid` and `localindexes` count (the pids less the master, unless it is alone). */
  get indexWorkers(): readonly number[] {
    return indexWorkers(this.pids);
  }

  /** This process's 1-based position among the workers of S; 0 when it is not one of them. */
  indexpid(): number {
    return indexOfPid(this.indexWorkers, this.#myid);
  }

  /** The linear indices this process handles by default (an empty range on a non-worker). */
  localindexes(): Range {
    return partitionRange(this.length, this.indexWorkers.length, this.indexpid());
  }

  /** Writes the dirty pages of a file-backed array to its file (msync); nothing for segments. */
  flush(): void {
    if (this.#data === undefined) throw this.#failure ?? closedError(this);
    this.#storage.mapping?.flush();
  }

  /**
   * Releases this process's mapping (flushing a file first). On the creator it also
   * unlinks the segment if that had not happened yet and lets the other processes drop
   * their cached copies. The file of a file-backed array is never deleted. Idempotent.
   */
  close(): void {
    if (this.#data === undefined) return;
    this.#data = undefined;
    const m = this.#storage.mapping;
    try {
      if (m && !m.closed && !m.readonly && m.kind === 'file') m.flush();
    } finally {
      m?.close();
      this.#storage.onClose(this as SharedArray);
    }
  }

  toString(): string {
    const where = this.backing === 'file' ? ` file ${this.filename}@${this.offset}` : '';
    return `SharedArray<${this.elementType}>[${this.dims.join('x')}]${where} on pids [${this.pids.join(', ')}]`;
  }

  get [Symbol.toStringTag](): string {
    return 'SharedArray';
  }
}

function closedError(S: { id: string; elementType: string; dims: readonly number[] }): InvalidStateException {
  return new InvalidStateException(
    `SharedArray<${S.elementType}>[${S.dims.join('x')}] (${S.id}) is closed on this process; its memory can no longer be used`,
    'closed',
  );
}

/** The processes that map S (the seed's `procs(S)`). */
export function procsOf<A extends SharedTypedArray>(S: SharedArray<A>): readonly number[] {
  return S.pids;
}
/** The typed array over S's shared memory (the seed's `sdata(S)`). */
export function sdata<A extends SharedTypedArray>(S: SharedArray<A>): A {
  return S.data;
}
/** S's 1-based position among its workers here, 0 when this process is not one of them. */
export function indexpids(S: SharedArray): number {
  return S.indexpid();
}
/** The linear indices this process handles by default (the seed's `localindexes(S)`). */
export function localindexes(S: SharedArray): Range {
  return S.localindexes();
}

// The element types a SharedArray may hold: the typed-array constructors of
// JavaScript, known by name so that they can travel between processes.

/** Every typed array a SharedArray can expose. */
export type SharedTypedArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A constructor of one of those typed arrays (`Float64Array`, `Int32Array`, ...). */
export interface TypedArrayConstructor<A extends SharedTypedArray = SharedTypedArray> {
  new (length: number): A;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): A;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** What one element reads as: a bigint for the 64-bit integer arrays, else a number. */
export type ElementOf<A extends SharedTypedArray> = A extends BigInt64Array | BigUint64Array ? bigint : number;

export type ElementTypeName =
  | 'Float64Array'
  | 'Float32Array'
  | 'Int8Array'
  | 'Int16Array'
  | 'Int32Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Uint16Array'
  | 'Uint32Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

const byName: ReadonlyMap<ElementTypeName, TypedArrayConstructor> = new Map<ElementTypeName, TypedArrayConstructor>([
  ['Float64Array', Float64Array],
  ['Float32Array', Float32Array],
  ['Int8Array', Int8Array],
  ['Int16Array', Int16Array],
  ['Int32Array', Int32Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Uint16Array', Uint16Array],
  ['Uint32Array', Uint32Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
]);

/** The supported names, for error messages. */
export const elementTypeNames: readonly ElementTypeName[] = [...byName.keys()];

/**
 * The name of a typed-array constructor, or a TypeError naming the bad `T`.
 * A constructor from another realm (a `vm` context, as for functions compiled from
 * source on a worker) is accepted by name, since it builds the same layout.
 */
export function elementTypeName(T: unknown): ElementTypeName {
  if (typeof T === 'function') {
    const name = (T as { name?: unknown }).name as ElementTypeName;
    const own = byName.get(name);
    if (own !== undefined && (own === T || (T as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT === own.BYTES_PER_ELEMENT)) {
      return name;
    }
  }
  throw new TypeError(
    `T must be a typed-array constructor (${elementTypeNames.join(', ')}), got ${describe(T)}`,
  );
}

/** This realm's constructor for a name received from another process. */
export function elementConstructor(name: string): TypedArrayConstructor {
  const T = byName.get(name as ElementTypeName);
  if (T === undefined) throw new TypeError(`unknown SharedArray element type '${name}'`);
  return T;
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v)})`;
  return `${typeof v} ${String(v)}`;
}

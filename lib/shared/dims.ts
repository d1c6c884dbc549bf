// Dimensions of a SharedArray and Julia's column-major index arithmetic, so that
// files written here read back in Julia and in NumPy with `order='F'`.

/** The shape of an array: a count or a tuple of non-negative integers. */
export type Dims = number | readonly number[];

/** Validates `dims` (a RangeError names the bad one) and returns it as a frozen tuple. */
export function normalizeDims(dims: unknown): readonly number[] {
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) {
    throw new TypeError(`dims must be a non-negative integer or an array of them, got ${typeof dims}`);
  }
  list.forEach((d: unknown, k) => {
    if (typeof d !== 'number') throw new TypeError(`dims[${k}] must be a number, got ${typeof d}`);
    if (!Number.isFinite(d) || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`dims[${k}] must be a non-negative integer, got ${d}`);
    }
  });
  const shape = Object.freeze([...(list as number[])]);
  const length = elementCount(shape);
  if (!Number.isSafeInteger(length)) throw new RangeError(`dims [${shape.join(', ')}] hold too many elements (${length})`);
  return shape;
}

/** How many elements an array of this shape holds (1 for the empty tuple, as in Julia). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Column-major strides: `strides[k]` is the linear distance between neighbours along dim k. */
export function columnMajorStrides(dims: readonly number[]): readonly number[] {
  const strides: number[] = [];
  let s = 1;
  for (const d of dims) {
    strides.push(s);
    s *= d;
  }
  return Object.freeze(strides);
}

/**
 * The 0-based linear index of the 0-based subscripts `idx` (first index fastest).
 * One subscript is a linear index; otherwise there must be one per dimension.
 */
export function linearIndex(dims: readonly number[], strides: readonly number[], idx: readonly number[]): number {
  if (idx.length === 1) {
    const i = idx[0] as number;
    const length = elementCount(dims);
    if (!Number.isInteger(i) || i < 0 || i >= length) {
      throw new RangeError(`index ${i} is out of bounds for an array of length ${length}`);
    }
    return i;
  }
  if (idx.length !== dims.length) {
    throw new RangeError(`expected 1 or ${dims.length} indices for dims [${dims.join(', ')}], got ${idx.length}`);
  }
  let linear = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    const d = dims[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= d) {
      throw new RangeError(`index ${i} in dimension ${k} is out of bounds for dims [${dims.join(', ')}]`);
    }
    linear += i * (strides[k] as number);
  }
  return linear;
}

// The half-open index range of the API (`{ start, stop }`), used wherever the
// seed takes a range: parallelFor, localindexes, splitrange.

/** Indices `start, start+1, ..., stop-1`. */
export class Range implements Iterable<number> {
  readonly start: number;
  readonly stop: number;
  constructor(start: number, stop: number) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) {
      throw new RangeError(`a range needs integer bounds, got [${start}, ${stop})`);
    }
    this.start = start;
    this.stop = Math.max(start, stop);
  }
  get length(): number {
    return this.stop - this.start;
  }
  includes(i: number): boolean {
    return i >= this.start && i < this.stop;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = this.start; i < this.stop; i++) yield i;
  }
  toString(): string {
    return `${this.start}:${this.stop}`;
  }
}

/** What a range argument may be: a Range, a count n (0..n-1), or a [start, stop] pair. */
export type RangeLike = Range | number | readonly [number, number] | { start: number; stop: number };

export function toRange(r: RangeLike, what = 'range'): Range {
  if (r instanceof Range) return r;
  if (typeof r === 'number') {
    if (!Number.isSafeInteger(r) || r < 0) throw new RangeError(`${what} must be a non-negative integer count, got ${r}`);
    return new Range(0, r);
  }
  if (Array.isArray(r) && r.length === 2) return new Range(r[0] as number, r[1] as number);
  if (r && typeof r === 'object' && 'start' in r && 'stop' in r) return new Range(r.start, r.stop);
  throw new TypeError(`${what} must be a Range, a count or a [start, stop] pair`);
}

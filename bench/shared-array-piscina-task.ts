// The piscina side of bench/shared-array.bench.ts: the same sum and axpy loops,
// over a SharedArrayBuffer handed to the worker thread.
export interface SliceTask {
  op: 'sum' | 'axpy';
  x: SharedArrayBuffer;
  y?: SharedArrayBuffer;
  a?: number;
  start: number;
  stop: number;
}

export default function run({ op, x, y, a = 0, start, stop }: SliceTask): number {
  const xs = new Float64Array(x);
  if (op === 'sum') {
    let s = 0;
    for (let i = start; i < stop; i++) s += xs[i]!;
    return s;
  }
  const ys = new Float64Array(y!);
  for (let i = start; i < stop; i++) ys[i] = a * xs[i]! + ys[i]!;
  return 0;
}

// The piscina side of bench/pmap.bench.ts: the same trivial function.
export default function trivial(x: number): number {
  return x + 1;
}

// Shared by every benchmark file: runs cases with the `benchmark` package and
// prints one table per suite, with each row's ratio to the suite's baseline.
import Benchmark from 'benchmark';

export interface BenchCase {
  name: string;
  /** One call of the measured work; may be async. */
  fn: () => unknown;
  /** How many operations one call performs (rows print operations per second). */
  opsPerCall?: number;
  /** The row the others are compared with (the first row when none is marked). */
  baseline?: boolean;
}

export interface ResultRow {
  name: string;
  value: number;
  unit: string;
  /** Relative margin of error in percent, when measured by `benchmark`. */
  rme?: number;
  baseline?: boolean;
  note?: string;
}

/** Seconds each case runs for; LOOM_BENCH_QUICK=1 makes a quick pass. */
export const maxTime = process.env.LOOM_BENCH_QUICK === '1' ? 0.3 : 2;

export async function runSuite(title: string, cases: BenchCase[]): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const c of cases) {
    // benchmark.js's deferred mode resolves each cycle from inside the previous
    // one, so a fast synchronous case overflows the stack there: only cases
    // that return a Promise run deferred.
    const first = c.fn();
    const isAsync = !!first && typeof (first as Promise<unknown>).then === 'function';
    if (isAsync) await first;
    const fail = (e: unknown) => {
      console.error(`${c.name} failed:`, e);
      process.exit(1);
    };
    const bench = isAsync
      ? new Benchmark(c.name, {
          defer: true,
          maxTime,
          minSamples: 5,
          fn(deferred: { resolve(): void }) {
            (c.fn() as Promise<unknown>).then(() => deferred.resolve(), fail);
          },
        })
      : new Benchmark(c.name, { maxTime, minSamples: 5, fn: c.fn });
    await new Promise<void>((resolve, reject) => {
      bench.on('complete', () => (bench.error ? reject(bench.error) : resolve()));
      bench.run({ async: true });
    });
    rows.push({
      name: c.name,
      value: bench.hz * (c.opsPerCall ?? 1),
      unit: 'ops/s',
      rme: bench.stats.rme,
      baseline: c.baseline,
    });
  }
  printTable(title, rows);
  return rows;
}

/** Prints rows measured some other way (latency percentiles, wall times, ...). */
export function printTable(title: string, rows: ResultRow[], lowerIsBetter = false): void {
  const base = rows.find((r) => r.baseline) ?? rows[0];
  console.log(`\n## ${title}`);
  console.log(`| case | ${rows[0]?.unit ?? ''} | ± | ratio to ${base?.name ?? '-'} |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    const ratio = base ? (lowerIsBetter ? base.value / r.value : r.value / base.value) : 1;
    const rme = r.rme === undefined ? '' : `${r.rme.toFixed(1)}%`;
    console.log(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${fmt(r.value)} | ${rme} | ${ratio.toFixed(2)}x |`);
  }
}

export function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  if (v >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

/** p-th percentile (0..100) of a list of samples. */
export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

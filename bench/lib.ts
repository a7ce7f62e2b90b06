/** Small helpers shared by the benchmarks: percentiles, timing, a printed table. */

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  perSecond: number;
}

export function summarize(latenciesMs: number[], elapsedMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
    perSecond: Math.round((sorted.length / elapsedMs) * 1000),
  };
}

/** Runs `total` calls of `fn` from `concurrency` loops; returns each call's latency in ms. */
export async function runClosedLoop(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarize(latencies, performance.now() - started);
}

export function printTable(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(headers));
  for (const row of rows) console.log(line(headers.map((h) => String(row[h]))));
}

/** Progress on stderr so the last stdout line stays the JSON summary. */
/** How a benchmark line states a target: met, or NOT MET. */
export const verdict = (met: boolean): string => (met ? 'met' : 'NOT MET');

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

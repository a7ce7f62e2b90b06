import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../lib.ts';
import { writeLoadCatalog, type LoadCompany } from '../stack/load-catalog.ts';
import { Stack } from '../stack/stack.ts';
import type { BookingRecord, CallSample } from './workload.ts';

export type Log = (line: string) => void;

/** Progress goes to stderr, so that stdout's last line stays the JSON summary. */
export const stderrLog: Log = (line) => process.stderr.write(`[chaos] ${line}\n`);

/**
 * Service settings for the runs: a killed command is redelivered after ~2 s (JOB_LOCK_MS),
 * the sweeper runs every second and settles intents pending for 5 s (instead of 2 min).
 */
export const CHAOS_ENV = { JOB_LOCK_MS: '2000', SWEEP_INTERVAL_MS: '1000', STALE_PENDING_MS: '5000' };

/** Cal.com answers in 50–400 ms, uniformly, so kills land in the middle of Cal.com calls. */
export const CHAOS_LATENCY = { kind: 'uniform', minMs: 50, maxMs: 400 };

export interface ChaosStack {
  stack: Stack;
  companies: LoadCompany[];
  close(): Promise<void>;
}

export async function startChaosStack(salons: number, env: Record<string, string> = {}): Promise<ChaosStack> {
  const catalogDir = mkdtempSync(join(tmpdir(), 'vbr-chaos-'));
  const { file, companies } = writeLoadCatalog(catalogDir, salons);
  let stack: Stack;
  try {
    stack = await Stack.start({ catalogFile: file, env: { ...CHAOS_ENV, ...env } });
    await stack.sim.setLatency('*', CHAOS_LATENCY);
  } catch (error) {
    rmSync(catalogDir, { recursive: true, force: true });
    throw error;
  }
  return {
    stack,
    companies,
    async close() {
      await stack.stop();
      rmSync(catalogDir, { recursive: true, force: true });
    },
  };
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (n: number) => (Number.isFinite(n) ? Math.round(n) : 0);
  return { count: sorted.length, p50: r(percentile(sorted, 50)), p95: r(percentile(sorted, 95)), p99: r(percentile(sorted, 99)), max: r(sorted.at(-1) ?? 0) };
}

/** Latencies of answered function calls (by name, or all). */
export function callLatencies(calls: CallSample[], name?: string): Percentiles {
  return percentiles(calls.filter((c) => c.status !== undefined && (!name || c.name === name)).map((c) => c.ms));
}

export function outcomeCounts(records: BookingRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

export const fmt = (p: Percentiles) => `p50 ${p.p50} ms, p95 ${p.p95} ms, p99 ${p.p99} ms, max ${p.max} ms (n=${p.count})`;

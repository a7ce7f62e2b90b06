import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { slotKey } from '../../src/actors/slot-key.ts';
import { partitionOf } from '../../src/runtime/partition.ts';
import { percentile } from '../lib.ts';
import { writeLoadCatalog, type LoadCompany } from '../stack/load-catalog.ts';
import { Stack } from '../stack/stack.ts';
import type { BookingRecord, CallSample } from './workload.ts';
import { publicHoliday } from '../../src/domain/holidays.ts';

const ZONE = 'Europe/Berlin';

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
    // CHAOS_SERVICE_LOG=<file> keeps the service's whole output across restarts, for post-mortems.
    const serviceLogFile = process.env.CHAOS_SERVICE_LOG;
    stack = await Stack.start({ catalogFile: file, env: { ...CHAOS_ENV, ...env }, ...(serviceLogFile && { serviceLogFile }) });
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

/**
 * One start per mailbox (partition): for each of the `partitions` queues a salon and
 * working day whose slot actor hashes onto it, at a random half hour. Booking all of them
 * proves every mailbox is consumed (a stuck worker shows up as an unanswered booking).
 */
export function startsCoveringMailboxes(companies: LoadCompany[], random: () => number, partitions = 16, fromDays = 30): Array<{ company: LoadCompany; start: string }> {
  const found = new Map<number, { company: LoadCompany; start: string }>();
  const today = DateTime.now().setZone(ZONE).startOf('day');
  for (let d = fromDays; found.size < partitions && d < fromDays + 365; d++) {
    const day = today.plus({ days: d });
    if (day.weekday === 7 || publicHoliday(day.toISODate()!)) continue;
    for (const company of companies) {
      const p = partitionOf(slotKey(company.id, 'stylist', day.toISODate()!), partitions);
      if (found.has(p)) continue;
      const at = day.set({ hour: 8 + Math.floor(random() * 12), minute: random() < 0.5 ? 0 : 30 });
      found.set(p, { company, start: at.toUTC().toISO()! });
    }
  }
  return [...found.values()];
}

/**
 * "Slot taken" answers whose slot holds no live Cal.com booking at the end — not a safety
 * violation (an intent in flight, later failed, also blocks a slot), but a liveness figure.
 */
export function unavailableButFree(records: BookingRecord[], companies: LoadCompany[], live: Array<{ eventTypeId: number; start: string; status: string }>): number {
  const taken = new Set(live.filter((b) => b.status.toLowerCase() === 'accepted').map((b) => `${b.eventTypeId}@${Date.parse(b.start)}`));
  const eventType = new Map(companies.map((c) => [c.id, c.eventTypeId]));
  return records.filter((r) => r.outcome === 'slot_unavailable' && !taken.has(`${eventType.get(r.companyId)}@${Date.parse(r.start)}`)).length;
}

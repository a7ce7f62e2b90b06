/**
 * Call statistics per company and local day, computed in the database over an index range.
 *
 * The local day (in the company's time zone) becomes a UTC range [from, to) with luxon,
 * and the one query per request is a predicate on the indexed columns
 * (`company_id = ? AND started_at >= ? AND started_at < ?`, index `calls_company_started`),
 * never a function on a column. The database aggregates (COUNT/SUM/TOTAL … GROUP BY a time
 * bucket computed from `started_at` in the SELECT: elapsed hours since local midnight,
 * or quarter hours on the rare day whose offset change is not a whole hour); the ≤ 25
 * (≤ 100) bucket rows are folded into local clock hours here.
 *
 * Per-hour series and DST: `perHour` has one entry per local clock hour that actually
 * happened that day, in chronological order:
 * - a normal day has 24 entries, hours 0‥23;
 * - a spring-forward day (e.g. 2026-03-29 in Berlin) has 23: hour 2 does not exist;
 * - a fall-back day (e.g. 2026-10-25 in Berlin) has 25: hour 2 appears twice, first
 *   with `utcOffsetMinutes` 120 (CEST), then with 60 (CET). Entries are never merged,
 *   so `hour` alone is not unique on that day; `(hour, utcOffsetMinutes)` and
 *   `startUtc` are.
 * Zones with 30/45-minute offsets (Asia/Kathmandu) use hour buckets too (elapsed hours
 * from local midnight are local hours while the offset holds); a 30-minute DST shift
 * (Australia/Lord_Howe) switches that day to quarter-hour buckets.
 *
 * Results are cached per (company, date, role) for `cacheTtlMs` (0 disables the cache).
 */
import { DateTime, IANAZone } from 'luxon';
import type { Sql } from '../store/sql.ts';
import type { Role } from '../store/tenants.ts';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';
const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_CACHE_ENTRIES = 5_000;
const MAX_LAYOUTS = 4_096;

/** The pre-computed cost column each role sees (fixed whitelist: column names are interpolated). */
export const COST_COLUMN: Readonly<Record<Role, string>> = Object.freeze({
  customer: 'cost_customer_cents',
  reseller: 'cost_reseller_cents',
  admin: 'cost_admin_cents',
});
const ROLES = Object.keys(COST_COLUMN) as Role[];

export type StatsInputErrorCode = 'invalid_date' | 'unknown_company' | 'invalid_role';

/** Bad input to a stats query; `httpStatus` is what the HTTP layer should answer. */
export class StatsInputError extends Error {
  override name = 'StatsInputError';
  readonly httpStatus: 400 | 404;

  constructor(
    readonly code: StatsInputErrorCode,
    message: string,
  ) {
    super(message);
    this.httpStatus = code === 'unknown_company' ? 404 : 400;
  }
}

export interface HourStats {
  /** Local clock hour 0‥23 in the company's time zone. */
  readonly hour: number;
  /** UTC offset during this hour; tells the two hour-2 entries of a fall-back day apart. */
  readonly utcOffsetMinutes: number;
  /** Start of this local hour as UTC epoch ms. */
  readonly startUtc: number;
  readonly calls: number;
  readonly withAppointment: number;
  readonly costCents: number;
}

export interface DayStats {
  readonly companyId: string;
  readonly date: string;
  readonly role: Role;
  readonly timeZone: string;
  /** The local day as a UTC range [fromUtc, toUtc), epoch ms (23 or 25 h long on DST days). */
  readonly fromUtc: number;
  readonly toUtc: number;
  readonly totalCalls: number;
  readonly callsWithAppointment: number;
  /** callsWithAppointment / totalCalls, 0 when there were no calls. */
  readonly conversion: number;
  /** Mean over calls with a known duration (ms precision), 0 when none. */
  readonly averageDurationSeconds: number;
  /** Sum of the role's cost column (calls without costs yet count as 0), rounded to 1e-4 cent. */
  readonly totalCostCents: number;
  /** One entry per local clock hour that happened that day: 24, or 23 / 25 on DST days. */
  readonly perHour: readonly HourStats[];
  /** When this result was computed (epoch ms, from the injected clock); cached results keep it. */
  readonly computedAt: number;
}

export interface CallStatsOptions {
  sql: Sql;
  now?: () => number;
  /** How long a (company, date, role) result is served from memory; 0 disables caching. Default 10 s. */
  cacheTtlMs?: number;
}

/**
 * The production query for one role: an index range on (company_id, started_at), aggregated
 * per bucket of `bucketMs` (1 h, or 15 min on a day with a non-whole-hour offset change).
 */
export function dayQuerySql(role: Role, bucketMs: number = HOUR_MS): string {
  if (!Object.hasOwn(COST_COLUMN, role)) throw new Error(`unknown role ${role}`);
  const cost = COST_COLUMN[role];
  if (bucketMs !== HOUR_MS && bucketMs !== QUARTER_MS) throw new Error(`unsupported bucket ${bucketMs} ms`);
  return `SELECT (started_at - CAST(@from AS BIGINT)) / ${bucketMs} AS bucket,
       COUNT(*) AS calls,
       SUM(has_appointment) AS "withAppointment",
       COALESCE(SUM(duration_ms), 0) AS "durationMs",
       COUNT(duration_ms) AS "durationCount",
       COALESCE(SUM(${cost}), 0) AS "costCents"
  FROM calls
 WHERE company_id = @companyId AND started_at >= @from AND started_at < @to
 GROUP BY bucket`;
}

/** The database's plan of the production query (same SQL text as CallStats runs), one line per step. */
export async function explainDayQuery(sql: Sql, role: Role = 'customer', bucketMs: number = HOUR_MS): Promise<string[]> {
  const params = { companyId: 'x', from: 0, to: DAY_MS };
  if (sql.dialect === 'sqlite') return (await sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${dayQuerySql(role, bucketMs)}`, params)).map((row) => row.detail);
  return (await sql.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${dayQuerySql(role, bucketMs)}`, params)).map((row) => row['QUERY PLAN']);
}

/** One time bucket's sums, as the day query returns them. */
interface BucketRow {
  bucket: number;
  calls: number;
  withAppointment: number;
  durationMs: number;
  durationCount: number;
  costCents: number;
}

interface HourSlot {
  hour: number;
  utcOffsetMinutes: number;
  startUtc: number;
}

/** A local day: its UTC range, its local clock hours, and which hour each query bucket falls into. */
interface DayLayout {
  from: number;
  to: number;
  slots: HourSlot[];
  bucketMs: number;
  slotOfBucket: Uint8Array;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Per-company, per-local-day call statistics straight from the calls table. */
export class CallStats {
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { expiresAt: number; value: DayStats }>();
  /** Day layouts depend only on (zone, date): kept (bounded) so luxon runs once per local day. */
  private readonly layouts = new Map<string, DayLayout>();
  private readonly sql: Sql;

  constructor(options: CallStatsOptions) {
    this.sql = options.sql;
    this.now = options.now ?? Date.now;
    this.ttlMs = Math.max(0, options.cacheTtlMs ?? 10_000);
  }

  /**
   * Statistics of one local day (`YYYY-MM-DD` in the company's time zone) as seen by `role`.
   * Throws StatsInputError (`invalid_date`, `unknown_company`, `invalid_role`) on bad input.
   */
  async forDay(companyId: string, date: string, role: Role): Promise<DayStats> {
    if (!ROLES.includes(role)) throw new StatsInputError('invalid_role', `unknown role ${JSON.stringify(role)}; expected customer, reseller or admin`);
    if (typeof date !== 'string' || !DATE_RE.test(date)) throw new StatsInputError('invalid_date', `date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
    if (typeof companyId !== 'string' || companyId === '') throw new StatsInputError('unknown_company', 'company id missing');

    const key = `${companyId}\u0000${date}\u0000${role}`;
    const now = this.now();
    if (this.ttlMs > 0) {
      const hit = this.cache.get(key);
      if (hit && now < hit.expiresAt) return hit.value;
      if (hit) this.cache.delete(key);
    }

    const company = await this.sql.get<{ timeZone: string | null }>('SELECT time_zone AS "timeZone" FROM companies WHERE id = ?', [companyId]);
    if (!company) throw new StatsInputError('unknown_company', `unknown company ${JSON.stringify(companyId)}`);
    const timeZone = company.timeZone || DEFAULT_TIME_ZONE;
    const layout = this.layout(companyId, timeZone, date);
    const { from, to, bucketMs } = layout;

    const rows = await this.sql.all<BucketRow>(dayQuerySql(role, bucketMs), { companyId, from, to });
    const value = aggregate(companyId, date, role, timeZone, layout, rows, now);

    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.evict(now);
      this.cache.set(key, { expiresAt: now + this.ttlMs, value });
    }
    return value;
  }

  /** Drops every cached result (e.g. after a bulk import). */
  clearCache(): void {
    this.cache.clear();
  }

  private layout(companyId: string, timeZone: string, date: string): DayLayout {
    const key = `${timeZone}\u0000${date}`;
    const known = this.layouts.get(key);
    if (known) return known;
    const zone = IANAZone.create(timeZone);
    if (!zone.isValid) throw new Error(`company ${companyId} has an invalid time zone ${JSON.stringify(timeZone)}`);
    const start = DateTime.fromISO(date, { zone });
    if (!start.isValid) throw new StatsInputError('invalid_date', `no such date ${date}`);
    const layout = layoutOf(zone, start.startOf('day').toMillis(), start.plus({ days: 1 }).startOf('day').toMillis());
    if (this.layouts.size >= MAX_LAYOUTS) this.layouts.delete(this.layouts.keys().next().value!);
    this.layouts.set(key, layout);
    return layout;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    // Still full: drop the oldest insertions (Map keeps insertion order).
    for (const key of this.cache.keys()) {
      if (this.cache.size < MAX_CACHE_ENTRIES) break;
      this.cache.delete(key);
    }
  }
}

function layoutOf(zone: IANAZone, from: number, to: number): DayLayout {
  const first = zone.offset(from);
  if (to - from === DAY_MS && zone.offset(to - 1) === first) {
    // No transition: local midnight + 24 equal hours, one hour bucket each.
    const startHour = localHour(from, first);
    const slots = Array.from({ length: 24 }, (_, h) => ({ hour: (startHour + h) % 24, utcOffsetMinutes: first, startUtc: from + h * HOUR_MS }));
    return { from, to, slots, bucketMs: HOUR_MS, slotOfBucket: Uint8Array.from(slots, (_, h) => h) };
  }
  // An offset change today: ask the zone for every quarter hour.
  const quarters = Math.ceil((to - from) / QUARTER_MS);
  const slotOfQuarter = new Uint8Array(quarters);
  const slots: HourSlot[] = [];
  for (let q = 0; q < quarters; q++) {
    const ts = from + q * QUARTER_MS;
    const offset = zone.offset(ts);
    const hour = localHour(ts, offset);
    const last = slots.at(-1);
    if (!last || last.hour !== hour || last.utcOffsetMinutes !== offset) slots.push({ hour, utcOffsetMinutes: offset, startUtc: ts });
    slotOfQuarter[q] = slots.length - 1;
  }
  // Whole-hour changes (every European DST day): each elapsed hour is still one local hour.
  const hourly = quarters % 4 === 0 && slotOfQuarter.every((slot, q) => slot === slotOfQuarter[q - (q % 4)]);
  if (hourly) return { from, to, slots, bucketMs: HOUR_MS, slotOfBucket: Uint8Array.from({ length: quarters / 4 }, (_, h) => slotOfQuarter[4 * h]!) };
  return { from, to, slots, bucketMs: QUARTER_MS, slotOfBucket: slotOfQuarter };
}

function localHour(utcMs: number, offsetMinutes: number): number {
  const local = utcMs + offsetMinutes * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

const round4 = (n: number) => Math.round(n * 1e4) / 1e4;

function aggregate(companyId: string, date: string, role: Role, timeZone: string, layout: DayLayout, rows: BucketRow[], computedAt: number): DayStats {
  const perHour = layout.slots.map((slot) => ({ hour: slot.hour, utcOffsetMinutes: slot.utcOffsetMinutes, startUtc: slot.startUtc, calls: 0, withAppointment: 0, costCents: 0 }));
  let totalCalls = 0;
  let withAppointment = 0;
  let durationMs = 0;
  let durationCount = 0;
  let costCents = 0;
  for (const { bucket, calls, withAppointment: appointments, durationMs: duration, durationCount: durations, costCents: cost } of rows) {
    const entry = perHour[layout.slotOfBucket[Math.floor(bucket)]!]!;
    entry.calls += calls;
    entry.withAppointment += appointments;
    entry.costCents += cost;
    totalCalls += calls;
    withAppointment += appointments;
    durationMs += duration;
    durationCount += durations;
    costCents += cost;
  }
  for (const entry of perHour) {
    entry.costCents = round4(entry.costCents);
    Object.freeze(entry);
  }
  return Object.freeze({
    companyId,
    date,
    role,
    timeZone,
    fromUtc: layout.from,
    toUtc: layout.to,
    totalCalls,
    callsWithAppointment: withAppointment,
    conversion: totalCalls === 0 ? 0 : withAppointment / totalCalls,
    averageDurationSeconds: durationCount === 0 ? 0 : Math.round(durationMs / durationCount) / 1000,
    totalCostCents: round4(costCents),
    perHour: Object.freeze(perHour),
    computedAt,
  });
}

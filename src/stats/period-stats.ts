/**
 * Totals of a company's calls per local day over a run of days (the admin page's last 7 and
 * 30 days). One covering-index range per day (`calls_company_started`), summed in the database —
 * the same predicate shape as CallStats, so a day costs a fraction of a millisecond at 1 M
 * calls and DST days are just longer or shorter ranges.
 */
import { DateTime } from 'luxon';
import type { Sql } from '../store/sql.ts';
import type { Role } from '../store/tenants.ts';
import { COST_COLUMN } from './call-stats.ts';

export interface DayTotals {
  date: string;
  calls: number;
  withAppointment: number;
  durationMs: number;
  durationCount: number;
  costCents: number;
}

export interface PeriodSummary {
  days: number;
  calls: number;
  withAppointment: number;
  conversion: number;
  averageDurationSeconds: number;
  costCents: number;
}

export class PeriodStats {
  private readonly query = new Map<Role, string>();
  /** Local-day boundaries per (zone, last date, count): luxon runs once per such run of days. */
  private readonly ranges = new Map<string, Array<{ date: string; from: number; to: number }>>();

  constructor(private readonly sql: Sql) {
    for (const role of Object.keys(COST_COLUMN) as Role[]) {
      this.query.set(
        role,
        `SELECT COUNT(*) AS calls, COALESCE(SUM(has_appointment), 0) AS "withAppointment", COALESCE(SUM(duration_ms), 0) AS "durationMs",
           COUNT(duration_ms) AS "durationCount", COALESCE(SUM(${COST_COLUMN[role]}), 0) AS "costCents"
           FROM calls WHERE company_id = ? AND started_at >= ? AND started_at < ?`,
      );
    }
  }

  /** The `count` local days ending with `lastDate` (inclusive), oldest first. */
  async days(companyId: string, timeZone: string, lastDate: string, count: number, role: Role): Promise<DayTotals[]> {
    const query = this.query.get(role);
    if (!query) throw new Error(`unknown role ${role}`);
    return Promise.all(
      this.rangesOf(timeZone, lastDate, count).map(async ({ date, from, to }) => ({ date, ...(await this.sql.get<Omit<DayTotals, 'date'>>(query, [companyId, from, to]))! })),
    );
  }

  private rangesOf(timeZone: string, lastDate: string, count: number) {
    const key = `${timeZone}\u0000${lastDate}\u0000${count}`;
    const known = this.ranges.get(key);
    if (known) return known;
    const last = DateTime.fromISO(lastDate, { zone: timeZone }).startOf('day');
    if (!last.isValid) throw new Error(`no such date ${lastDate}`);
    const ranges = [];
    for (let i = count - 1; i >= 0; i--) {
      const day = last.minus({ days: i });
      ranges.push({ date: day.toISODate()!, from: day.toMillis(), to: day.plus({ days: 1 }).toMillis() });
    }
    if (this.ranges.size >= 2048) this.ranges.delete(this.ranges.keys().next().value!);
    this.ranges.set(key, ranges);
    return ranges;
  }
}

export function summarize(days: DayTotals[]): PeriodSummary {
  const sum = (key: keyof Omit<DayTotals, 'date'>) => days.reduce((n, d) => n + d[key], 0);
  const calls = sum('calls');
  const withAppointment = sum('withAppointment');
  const durationCount = sum('durationCount');
  return {
    days: days.length,
    calls,
    withAppointment,
    conversion: calls === 0 ? 0 : withAppointment / calls,
    averageDurationSeconds: durationCount === 0 ? 0 : Math.round(sum('durationMs') / durationCount) / 1000,
    costCents: Math.round(sum('costCents') * 1e4) / 1e4,
  };
}

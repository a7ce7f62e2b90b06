// What the /admin page shows for one company, role and day, gathered from the store and the
// catalog: the day's call figures, the days before it, upcoming appointments with their
// Cal.com sync state, and what needs a person (open orphans, bookings to review).
import { DateTime } from 'luxon';
import type { CatalogIndex } from '../catalog/index.ts';
import { CallStats, PeriodStats, summarize, type DayStats, type DayTotals, type PeriodSummary } from '../stats/index.ts';
import type { Role, Sql } from '../store/index.ts';

export interface AppointmentRow {
  id: number;
  serviceName: string;
  startUtc: number;
  endUtc: number;
  status: string;
  origin: string;
  syncStatus: string;
  syncError: string | null;
  customerName: string | null;
  customerPhone: string | null;
}

export interface OrphanRow {
  calcomUid: string;
  reason: string;
  attempts: number;
  lastError: string | null;
  escalated: boolean;
  createdAt: number;
}

export interface AdminOverview {
  companyId: string;
  companyName: string;
  timeZone: string;
  role: Role;
  date: string;
  today: string;
  day: DayStats;
  last7: PeriodSummary;
  last30: PeriodSummary;
  /** The 30 days ending with `date`, for the small chart. */
  days: DayTotals[];
  upcoming: AppointmentRow[];
  review: AppointmentRow[];
  orphans: OrphanRow[];
  openOrphans: number;
}

const LIST_LIMIT = 25;
/** Bookings to review are looked for this far back (bounds the scan on the company/time index). */
const REVIEW_LOOKBACK_MS = 90 * 86_400_000;

const appointmentColumns = `id, service_id AS "serviceId", start_utc AS "startUtc", end_utc AS "endUtc", status, origin, sync_status AS "syncStatus",
  sync_error AS "syncError", customer_name AS "customerName", customer_phone AS "customerPhone"`;

const QUERIES = {
  // Live appointments from now on, first segment of composites only (one row per appointment).
  upcoming: `SELECT ${appointmentColumns} FROM appointments
    WHERE company_id = ? AND start_utc >= ? AND status IN ('pending', 'booked') AND segment_index = 0
    ORDER BY start_utc LIMIT ${LIST_LIMIT}`,
  review: `SELECT ${appointmentColumns} FROM appointments
    WHERE company_id = ? AND start_utc >= ? AND sync_status = 'review'
    ORDER BY start_utc LIMIT ${LIST_LIMIT}`,
  orphans: `SELECT calcom_uid AS "calcomUid", reason, attempts, last_error AS "lastError", escalated, created_at AS "createdAt"
    FROM orphaned_bookings WHERE resolved_at IS NULL AND company_id = ? ORDER BY created_at LIMIT ${LIST_LIMIT}`,
  openOrphans: 'SELECT COUNT(*) AS n FROM orphaned_bookings WHERE resolved_at IS NULL AND company_id = ?',
};

type ListedAppointment = Omit<AppointmentRow, 'serviceName'> & { serviceId: string };

export class AdminOverviewReader {
  private readonly periods: PeriodStats;

  constructor(private readonly deps: { sql: Sql; stats: CallStats; catalog: CatalogIndex; now: () => number }) {
    this.periods = new PeriodStats(deps.sql);
  }

  /** The company's local "today" (the day switcher's default). */
  today(companyId: string): string {
    const zone = this.deps.catalog.company(companyId)?.timeZone ?? 'Europe/Berlin';
    return DateTime.fromMillis(this.deps.now(), { zone }).toISODate()!;
  }

  async read(companyId: string, role: Role, date: string): Promise<AdminOverview> {
    const company = this.deps.catalog.company(companyId);
    if (!company) throw new Error(`unknown company ${companyId}`);
    const now = this.deps.now();
    const { sql } = this.deps;
    const [day, days, upcoming, review, orphans, open] = await Promise.all([
      this.deps.stats.forDay(companyId, date, role),
      this.periods.days(companyId, company.timeZone, date, 30, role),
      sql.all<ListedAppointment>(QUERIES.upcoming, [companyId, now]),
      sql.all<ListedAppointment>(QUERIES.review, [companyId, now - REVIEW_LOOKBACK_MS]),
      sql.all<Omit<OrphanRow, 'escalated'> & { escalated: number }>(QUERIES.orphans, [companyId]),
      sql.get<{ n: number }>(QUERIES.openOrphans, [companyId]),
    ]);
    const names = new Map(this.deps.catalog.servicesOf(companyId).map((e) => [e.service.id, e.service.name]));
    const rows = (list: ListedAppointment[]) => list.map(({ serviceId, ...a }) => ({ ...a, serviceName: names.get(serviceId) ?? serviceId }));
    return {
      companyId,
      companyName: company.name,
      timeZone: company.timeZone,
      role,
      date,
      today: this.today(companyId),
      day,
      last7: summarize(days.slice(-7)),
      last30: summarize(days),
      days,
      upcoming: rows(upcoming),
      review: rows(review),
      orphans: orphans.map((o) => ({ ...o, escalated: o.escalated === 1 })),
      openOrphans: open!.n,
    };
  }
}

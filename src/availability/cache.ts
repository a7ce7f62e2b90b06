import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { GetSlotsInput, SlotsByDate } from '../calcom/index.ts';
import { awaitShared, detached } from '../observability/waits.ts';

/** Where slots come from: the Cal.com client (GET /v2/slots). */
export interface SlotSource {
  getSlots(input: GetSlotsInput): Promise<SlotsByDate>;
}

/** Free start times (UTC epoch ms, ascending) of one event type in one local week. */
export interface WeekView {
  starts: number[];
  fetchedAt: number;
}

export type CacheResult = 'hit' | 'miss' | 'stale';

export interface AvailabilityCacheOptions {
  source: SlotSource;
  /** An entry younger than this is served as is (default 30 s). */
  ttlMs?: number;
  /** After the TTL an entry is still served this long while it refreshes in the background. */
  staleMs?: number;
  /** Fetch the following week in the background on a miss. */
  warmNextWeek?: boolean;
  now?: () => number;
  observe?: (result: CacheResult) => void;
  logger?: Logger;
}

export interface CalendarWeek {
  companyId: string;
  calendarKey: string;
  eventTypeId: number;
  zone: string;
  /** Any instant inside the week (UTC epoch ms); the week runs Monday to Monday, local time. */
  at: number;
}

/** Past this fraction of the TTL a read also starts a background refresh. */
const REFRESH_AHEAD = 0.8;

interface Entry {
  view?: WeekView;
  inflight?: Promise<WeekView>;
}

/**
 * Availability read path: one entry per company/calendar/event type/week, a TTL,
 * single-flight on misses (N concurrent misses → 1 Cal.com call), stale-while-revalidate,
 * invalidation by our bookings and Cal.com webhooks, and the next week warmed.
 * A fetch that started before an invalidation never fills the cache with its answer.
 */
export class AvailabilityCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation of a calendar-week; a fetch keeps its answer only if unchanged. */
  private readonly generations = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AvailabilityCacheOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.staleMs = options.staleMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async week(week: CalendarWeek): Promise<WeekView> {
    const key = entryKey(week);
    const entry = this.entries.get(key);
    const age = entry?.view ? this.now() - entry.view.fetchedAt : Infinity;
    if (entry?.view && age < this.ttlMs) {
      this.options.observe?.('hit');
      // Refresh ahead of expiry, so a busy entry is renewed before any reader sees it stale.
      if (age >= this.ttlMs * REFRESH_AHEAD) this.background(week, key);
      return entry.view;
    }
    if (entry?.view && age < this.ttlMs + this.staleMs) {
      this.options.observe?.('stale');
      this.background(week, key); // the next reader gets the fresh one
      return entry.view;
    }
    this.options.observe?.('miss');
    if (this.options.warmNextWeek ?? true) this.warm({ ...week, at: weekStart(week).plus({ weeks: 1 }).toMillis() });
    return this.fetch(week, key);
  }

  /** Free starts in [fromUtc, toUtc), reading every week it spans in parallel. */
  async between(calendar: Omit<CalendarWeek, 'at'>, fromUtc: number, toUtc: number): Promise<number[]> {
    const weeks: CalendarWeek[] = [];
    for (let w = weekStart({ ...calendar, at: fromUtc }); w.toMillis() < toUtc; w = w.plus({ weeks: 1 })) {
      weeks.push({ ...calendar, at: w.toMillis() });
    }
    const views = await Promise.all(weeks.map((w) => this.week(w)));
    return views.flatMap((v) => v.starts).filter((t) => t >= fromUtc && t < toUtc);
  }

  /** The cached week if it was fetched less than `maxAgeMs` ago and not invalidated since. */
  freshView(week: CalendarWeek, maxAgeMs: number): WeekView | undefined {
    const view = this.entries.get(entryKey(week))?.view;
    return view && this.now() - view.fetchedAt < maxAgeMs ? view : undefined;
  }

  /** Drops every event type's entry for the calendar-week containing `at` (or all weeks). */
  invalidate(companyId: string, calendarKey: string, at?: { zone: string; at: number }): void {
    const prefix = `${companyId}|${calendarKey}|`;
    const weekIsoDate = at ? weekIso(at) : undefined;
    const scope = weekIsoDate ? `${prefix}${weekIsoDate}` : prefix;
    // One week's invalidation voids in-flight fetches of that week only; an all-weeks one voids every week's.
    this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
    for (const key of this.entries.keys()) {
      if (key.startsWith(prefix) && (!weekIsoDate || key.includes(`|${weekIsoDate}|`))) this.entries.delete(key);
    }
  }

  private warm(week: CalendarWeek): void {
    const key = entryKey(week);
    if (this.entries.get(key)?.view || this.entries.get(key)?.inflight) return;
    this.background(week, key);
  }

  /** A refresh no reader waits for (refresh-ahead, stale-while-revalidate, warming). */
  private background(week: CalendarWeek, key: string): void {
    detached(() => this.fetch(week, key)).catch((error) => this.options.logger?.debug({ err: error }, 'background availability refresh failed'));
  }

  private fetch(week: CalendarWeek, key: string): Promise<WeekView> {
    const entry = this.entries.get(key) ?? {};
    if (entry.inflight) return awaitShared(entry.inflight); // single-flight: the joiner waits on Cal.com too
    const generation = this.generationOf(week);
    const requestedAt = this.now(); // the answer shows Cal.com as of the request, not of its arrival
    const start = weekStart(week);
    const inflight = this.options.source
      .getSlots({
        eventTypeId: week.eventTypeId,
        start: start.toUTC().toISO()!,
        end: start.plus({ weeks: 1 }).toUTC().toISO()!,
        timeZone: week.zone,
      })
      .then((byDate) => {
        const view: WeekView = { starts: toStarts(byDate), fetchedAt: requestedAt };
        const current = this.entries.get(key);
        if (current?.inflight === inflight) delete current.inflight;
        if (this.generationOf(week) === generation) this.entries.set(key, { ...this.entries.get(key), view });
        return view;
      })
      .catch((error) => {
        const current = this.entries.get(key);
        if (current?.inflight === inflight) delete current.inflight;
        throw error;
      });
    this.entries.set(key, { ...entry, inflight });
    return inflight;
  }

  private generationOf(week: CalendarWeek): string {
    const prefix = `${week.companyId}|${week.calendarKey}|`;
    return `${this.generations.get(prefix) ?? 0}:${this.generations.get(`${prefix}${weekIso(week)}`) ?? 0}`;
  }
}

/** Monday 00:00 local of the week containing `at`. */
export function weekStart(week: Pick<CalendarWeek, 'zone' | 'at'>): DateTime {
  return DateTime.fromMillis(week.at, { zone: week.zone }).startOf('week');
}

/**
 * The week's Monday as YYYY-MM-DD, memoised per zone and quarter hour (every zone's midnight
 * falls on a quarter hour): every read computes it, and luxon's zone arithmetic is not cheap.
 */
const weekIsoMemo = new Map<string, string>();
function weekIso(week: Pick<CalendarWeek, 'zone' | 'at'>): string {
  const key = `${week.zone}|${Math.floor(week.at / 900_000)}`;
  let iso = weekIsoMemo.get(key);
  if (iso === undefined) {
    if (weekIsoMemo.size > 10_000) weekIsoMemo.clear();
    weekIsoMemo.set(key, (iso = weekStart(week).toISODate()!));
  }
  return iso;
}

function entryKey(week: CalendarWeek): string {
  return `${week.companyId}|${week.calendarKey}|${weekIso(week)}|${week.eventTypeId}`;
}

function toStarts(byDate: SlotsByDate): number[] {
  const starts = Object.values(byDate).flatMap((slots) => slots.map((slot) => Date.parse(slot.start)));
  return [...new Set(starts)].filter(Number.isFinite).sort((a, b) => a - b);
}

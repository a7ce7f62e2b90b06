// Entry point: German date/time phrases ("morgen um halb elf", "nächsten Dienstag nachmittags",
// "2025-11-22T10:30:00+01:00") → a calendar day plus an exact time or a window of start times.
// Pure: the clock comes in as an argument; all calendar math is luxon in the business's zone.
//
// Readings chosen for ambiguous phrases (callers hear the resolved day read back via speakSlot):
// - "Dienstag" / "am Dienstag" / "nächsten" / "kommenden Dienstag": the next Tuesday strictly after
//   today (1–7 days ahead; said on a Monday that is tomorrow). Today is only ever "heute".
// - "diesen Dienstag": the next Tuesday including today (0–6 days ahead).
// - "übernächsten Dienstag": one week after "nächsten Dienstag".
// - "Dienstag nächste Woche": the Tuesday of next ISO week (Mon–Sun).
// - "nächste Woche" alone: Monday of next week with weekOnly: true ("diese Woche": today).
// - "22.11." without year: this year; if that day has passed it rolls to next year, except when it
//   passed only `pastGraceDays` (default 14) ago: then it is refused as past, since "22.11." said on
//   24.11. is almost surely a slip, not a booking a year ahead.
// - "am 22." (day only): this month, or the next month that has that day if it has passed.
// - Hours 1–12 without a day part: the reading (am/pm) that lies in business hours; if both or
//   neither do, 1–6 → afternoon, 7–12 → morning. A day part decides ("um 3 nachmittags" = 15:00).
//   "08:00", "0" and 13–23 are taken literally.
// - A day part without a time yields a window: früh 06–10, vormittags 08–12, mittags 11–14,
//   nachmittags 13–17, abends 17–22, each clipped to business hours when that leaves something.
// - A date without any time gives just the date; a time without any date is `missing_date`
//   (we don't guess "today").
import { DateTime } from 'luxon';
import type { DayPart, Piece, SpokenClock } from './german-pieces.ts';
import { scanPhrase } from './german-scan.ts';
import { MONTH_NAMES, WEEKDAY_NAMES } from './german-speak.ts';
import {
  DEFAULT_ZONE, formatClock, hhmmToMinutes, localToInstant, minutesToClock, resolveNow,
} from './local-time.ts';
import { whenFail, type Failure, type WhenErrorCode } from './result.ts';

export type { DayPart } from './german-pieces.ts';
export { localToInstant, DEFAULT_ZONE } from './local-time.ts';
export type { WhenErrorCode } from './result.ts';

export interface BusinessHours {
  /** "HH:mm", local. */
  open: string;
  /** "HH:mm", local; a start at `close` is not plausible. */
  close: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { open: '08:00', close: '20:00' };

export interface ParseWhenOptions {
  /** The current instant; never read from the system clock here. */
  now: DateTime | number;
  /** IANA zone of the business; default Europe/Berlin. */
  zone?: string;
  /** Used to pick 3:00 vs 15:00 and to clip day-part windows; default 08:00–20:00. */
  businessHours?: BusinessHours;
  /** See the header: how long a year-less date may lie in the past before it means next year. */
  pastGraceDays?: number;
}

/** The two Retell arguments; either may hold a combined phrase like "morgen um 10". */
export interface WhenInput {
  datum?: string | null;
  uhrzeit?: string | null;
}

/** Start times from `from` (inclusive) to `to` (exclusive), local "HH:mm". */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface WhenOk {
  ok: true;
  /** Local calendar day, "YYYY-MM-DD". */
  date: string;
  /** Exact local time "HH:mm", when one was said. */
  time?: string;
  /** Acceptable start times when only a day part or a range was said. */
  window?: TimeWindow;
  /** The exact start in the business's zone (time said and the day is a real day, not weekOnly). */
  start?: DateTime;
  /** Only a week was named: `date` is its Monday (or today for "diese Woche"). */
  weekOnly?: boolean;
  /** The day part the caller said, if any. */
  dayPart?: DayPart;
}

export type WhenResult = WhenOk | Failure<WhenErrorCode>;

interface Ctx {
  now: DateTime;
  today: DateTime;
  zone: string;
  open: number;
  close: number;
  graceDays: number;
}

/** Parses `datum` + `uhrzeit` (or one combined string) into a day and a time or window. */
export function parseGermanDateTime(input: WhenInput | string, options: ParseWhenOptions): WhenResult {
  const zone = options.zone ?? DEFAULT_ZONE;
  const now = resolveNow(options.now, zone);
  const hours = options.businessHours ?? DEFAULT_BUSINESS_HOURS;
  const ctx: Ctx = {
    now, today: now.startOf('day'), zone,
    open: hhmmToMinutes(hours.open), close: hhmmToMinutes(hours.close),
    graceDays: options.pastGraceDays ?? 14,
  };
  const { datum, uhrzeit } = typeof input === 'string' ? { datum: input, uhrzeit: undefined } : input;

  const fromDatum = scanPhrase(datum ?? '', 'datum');
  if (!fromDatum) return whenFail('unparseable_date');
  const fromUhrzeit = scanPhrase(uhrzeit ?? '', 'uhrzeit');
  if (!fromUhrzeit) return whenFail('unparseable_time');
  const pieces = [...fromDatum, ...fromUhrzeit];

  const day = resolveDay(pieces, ctx);
  if (!day.ok) return day;
  if (!day.date) return whenFail('missing_date');
  if (day.date < ctx.today) return whenFail('date_in_past');
  const time = resolveTime(pieces, ctx);
  if (!time.ok) return time;
  return assemble(day.date, day.weekOnly, time, ctx);
}

// ---------------------------------------------------------------- day

type DayResult = { ok: true; date?: DateTime; weekOnly: boolean } | Failure<WhenErrorCode>;

function resolveDay(pieces: Piece[], ctx: Ctx): DayResult {
  const fixed: DateTime[] = [];
  const offsets = new Set<number>();
  const weekdays = new Map<string, Extract<Piece, { kind: 'weekday' }>>();
  const weeks = new Set<number>();
  for (const p of pieces) {
    if (p.kind === 'ymd' || p.kind === 'dayOfMonth' || p.kind === 'instant') {
      const d = p.kind === 'ymd' ? resolveYmd(p, ctx) : p.kind === 'dayOfMonth' ? resolveDayOfMonth(p.day, ctx) : instant(p.iso, ctx);
      if (!d) return whenFail(p.kind === 'instant' ? 'unparseable_date' : 'invalid_date');
      fixed.push(d.startOf('day'));
    } else if (p.kind === 'relDays') {
      if (p.role === 'anchor') fixed.push(ctx.today.plus({ days: p.days }));
      else offsets.add(p.days);
    } else if (p.kind === 'weekday') weekdays.set(`${p.weekday}:${p.mode}`, p);
    else if (p.kind === 'week') weeks.add(p.offset);
  }
  // Two different days in one request ("morgen, am 3.12.") cannot both be meant.
  if (new Set(fixed.map((d) => d.toISODate())).size > 1 || offsets.size > 1 || weekdays.size > 1 || weeks.size > 1) {
    return whenFail('unparseable_date');
  }
  const offset = [...offsets][0] ?? 0;
  const wd = [...weekdays.values()][0];
  const week = [...weeks][0];
  const weekStart = (n: number) => ctx.today.startOf('week').plus({ weeks: n });

  if (fixed[0]) {
    const date = fixed[0].plus({ days: offset });
    if (wd && date.weekday !== wd.weekday) return weekdayMismatch(date, wd.weekday);
    if (week !== undefined && +date.startOf('week') !== +weekStart(week)) return whenFail('unparseable_date');
    return { ok: true, date, weekOnly: false };
  }
  if (wd) {
    const base = week !== undefined ? weekStart(week).plus({ days: wd.weekday - 1 }) : nextWeekday(ctx.today, wd);
    return { ok: true, date: base.plus({ days: offset }), weekOnly: false };
  }
  if (week !== undefined) {
    return { ok: true, date: (week === 0 ? ctx.today : weekStart(week)).plus({ days: offset }), weekOnly: true };
  }
  if (offsets.size) return { ok: true, date: ctx.today.plus({ days: offset }), weekOnly: false };
  return { ok: true, weekOnly: false };
}

function nextWeekday(today: DateTime, p: Extract<Piece, { kind: 'weekday' }>): DateTime {
  const ahead = (p.weekday - today.weekday + 7) % 7;
  const days = p.mode === 'this' ? ahead : p.mode === 'next' ? ahead || 7 : (ahead || 7) + 7;
  return today.plus({ days });
}

function makeDate(year: number, month: number, day: number, ctx: Ctx): DateTime | null {
  const d = DateTime.fromObject({ year, month, day }, { zone: ctx.zone });
  return d.isValid ? d : null;
}

function resolveYmd(p: Extract<Piece, { kind: 'ymd' }>, ctx: Ctx): DateTime | null {
  if (p.year !== undefined) return makeDate(p.year, p.month, p.day, ctx);
  const thisYear = makeDate(ctx.today.year, p.month, p.day, ctx);
  if (thisYear && (thisYear >= ctx.today || ctx.today.diff(thisYear, 'days').days <= ctx.graceDays)) return thisYear;
  return makeDate(ctx.today.year + 1, p.month, p.day, ctx);
}

/** "am 22.": the first month from this one on whose 22nd is today or later. */
function resolveDayOfMonth(day: number, ctx: Ctx): DateTime | null {
  for (let k = 0; k < 3; k++) {
    const m = ctx.today.startOf('month').plus({ months: k });
    const d = makeDate(m.year, m.month, day, ctx);
    if (d && d >= ctx.today) return d;
  }
  return null;
}

function instant(iso: string, ctx: Ctx): DateTime | null {
  const dt = DateTime.fromISO(iso, { zone: ctx.zone });
  return dt.isValid ? dt : null;
}

function weekdayMismatch(date: DateTime, said: number): Failure<WhenErrorCode> {
  const actual = WEEKDAY_NAMES[date.weekday - 1];
  return whenFail(
    'weekday_mismatch',
    `Der ${date.day}. ${MONTH_NAMES[date.month - 1]} ist ein ${actual}, kein ${WEEKDAY_NAMES[said - 1]}. Welchen Tag meinen Sie?`,
  );
}

// ---------------------------------------------------------------- time

type TimeSpec =
  | { ok: true; kind: 'none'; dayPart?: DayPart }
  | { ok: true; kind: 'exact'; minutes: number; instant?: DateTime; dayPart?: DayPart }
  | { ok: true; kind: 'window'; from: number; to: number; dayPart?: DayPart };

const PART_WINDOWS: Record<DayPart, [number, number]> = {
  frueh: [6 * 60, 10 * 60],
  vormittag: [8 * 60, 12 * 60],
  mittag: [11 * 60, 14 * 60],
  nachmittag: [13 * 60, 17 * 60],
  abend: [17 * 60, 22 * 60],
};

function resolveTime(pieces: Piece[], ctx: Ctx): TimeSpec | Failure<WhenErrorCode> {
  const parts = new Set(pieces.flatMap((p) => (p.kind === 'dayPart' ? [p.part] : [])));
  if (parts.size > 1) return whenFail('unparseable_time');
  const dayPart = [...parts][0];
  const tag = dayPart ? { dayPart } : {};

  const instants = pieces.flatMap((p) => (p.kind === 'instant' ? [instant(p.iso, ctx)!] : []));
  const exact = new Set([
    ...pieces.flatMap((p) => (p.kind === 'clock' ? [resolveClock(p.clock, dayPart, ctx)] : [])),
    ...instants.map((dt) => dt.hour * 60 + dt.minute),
  ]);
  const ranges = pieces.flatMap((p) => (p.kind === 'range' ? [p] : []));
  if (exact.size > 1 || ranges.length > 1 || (exact.size && ranges.length)) return whenFail('unparseable_time');

  const [minutes] = exact;
  if (minutes !== undefined) return { ok: true, kind: 'exact', minutes, ...(instants[0] ? { instant: instants[0] } : {}), ...tag };
  const base = dayPart ? partWindow(dayPart, ctx) : ([ctx.open, ctx.close] as const);
  const r = ranges[0];
  if (!r) return dayPart ? { ok: true, kind: 'window', from: base[0], to: base[1], ...tag } : { ok: true, kind: 'none' };

  let [from, to] = rangeEnds(r, dayPart, ctx);
  if (from === undefined) from = to !== undefined && to <= base[0] ? 0 : base[0];
  if (to === undefined) to = from >= base[1] ? 23 * 60 + 59 : base[1];
  if (from >= to) return whenFail('unparseable_time');
  return { ok: true, kind: 'window', from, to, ...tag };
}

/** Day-part window clipped to business hours, unless clipping would leave nothing. */
function partWindow(part: DayPart, ctx: Ctx): readonly [number, number] {
  const [a, b] = PART_WINDOWS[part];
  const from = Math.max(a, ctx.open);
  const to = Math.min(b, ctx.close);
  return from < to ? [from, to] : [a, b];
}

const fits = (minutes: number, ctx: Ctx) => minutes >= ctx.open && minutes < ctx.close;

/** Minutes after midnight for a spoken clock, choosing am/pm as described in the header. */
function resolveClock(c: SpokenClock, part: DayPart | undefined, ctx: Ctx): number {
  if (c.explicit24) return c.h * 60 + c.m;
  const am = (c.h % 12) * 60 + c.m;
  const pm = am + 12 * 60;
  const noon = c.h === 12;
  switch (part) {
    case 'frueh':
    case 'vormittag':
      return noon ? pm : am;
    case 'mittag':
      return c.h === 10 || c.h === 11 ? am : pm;
    case 'nachmittag':
    case 'abend':
      return pm;
    default: {
      if (fits(am, ctx) !== fits(pm, ctx)) return fits(am, ctx) ? am : pm;
      return noon || c.h <= 6 ? pm : am;
    }
  }
}

/**
 * Both ends of a range in minutes. Two ambiguous ends move together ("zwischen 11 und 1" is
 * 11:00–13:00, never 23:00–13:00): around the spoken hour for "kurz vor/nach", otherwise the pair
 * that overlaps business hours most.
 */
function rangeEnds(r: Extract<Piece, { kind: 'range' }>, part: DayPart | undefined, ctx: Ctx): [number?, number?] {
  const { from, to } = r;
  if (!from || !to || from.explicit24 || to.explicit24 || part) {
    return [from && resolveClock(from, part, ctx), to && resolveClock(to, part, ctx)];
  }
  const a = (from.h % 12) * 60 + from.m;
  let b = (to.h % 12) * 60 + to.m;
  if (b <= a) b += 12 * 60;
  let shift: number;
  if (r.anchor) {
    const anchor = r.anchor === 'from' ? from : to;
    shift = resolveClock(anchor, part, ctx) - (r.anchor === 'from' ? a : b);
  } else {
    const overlap = (x: number, y: number) => Math.max(0, Math.min(y, ctx.close) - Math.max(x, ctx.open));
    const amScore = overlap(a, b);
    const pmScore = b + 720 <= 24 * 60 ? overlap(a + 720, b + 720) : -1;
    shift = amScore !== pmScore ? (pmScore > amScore ? 720 : 0) : resolveClock(from, part, ctx) >= 720 ? 720 : 0;
  }
  return [a + shift, b + shift];
}

// ---------------------------------------------------------------- result

function assemble(date: DateTime, weekOnly: boolean, time: TimeSpec, ctx: Ctx): WhenResult {
  const out: WhenOk = { ok: true, date: date.toISODate()! };
  if (weekOnly) out.weekOnly = true;
  if (time.dayPart) out.dayPart = time.dayPart;
  if (time.kind === 'exact') {
    out.time = formatClock(minutesToClock(time.minutes));
    if (weekOnly) return out; // no single day chosen, so no start instant
    let start = time.instant;
    if (!start) {
      const local = localToInstant(out.date, out.time, ctx.zone);
      if (!local.ok) return local;
      start = local.start;
    }
    if (start <= ctx.now) return whenFail('time_in_past');
    out.start = start;
  } else if (time.kind === 'window') {
    let from = time.from;
    if (!weekOnly && +date === +ctx.today) {
      // Today: only the part of the window still ahead (rounded up to the next whole minute).
      const n = ctx.now;
      const nowMinutes = n.hour * 60 + n.minute + (n.second || n.millisecond ? 1 : 0);
      if (time.to <= nowMinutes) return whenFail('time_in_past');
      from = Math.max(from, nowMinutes);
    }
    out.window = { from: formatClock(minutesToClock(from)), to: formatClock(minutesToClock(time.to)) };
  }
  return out;
}

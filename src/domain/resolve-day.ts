// Turns the day pieces of a phrase (German or English) into one calendar day, a week, or a short
// stretch of days, against the injected clock. Readings are documented in german-date.ts.
import { DateTime } from 'luxon';
import type { Piece, PieceOf } from './german-pieces.ts';
import { MONTH_NAMES, WEEKDAY_NAMES } from './german-speak.ts';
import { namedDayDate } from './holidays.ts';
import { whenFail, type Failure, type WhenErrorCode } from './result.ts';

/** What every resolver needs: the clock in the business zone and the business hours in minutes. */
export interface Ctx {
  now: DateTime;
  today: DateTime;
  zone: string;
  open: number;
  close: number;
  graceDays: number;
}

export type DayResult =
  | { ok: true; date?: DateTime; weekOnly: boolean; /** a stretch of this many days from `date` */ days?: number }
  | Failure<WhenErrorCode>;

type Span = { date: DateTime; days: number };

export function resolveDay(pieces: Piece[], ctx: Ctx): DayResult {
  const years = new Set(pieces.flatMap((p) => (p.kind === 'year' ? [p.offset] : [])));
  if (years.size > 1) return whenFail('unparseable_date');
  const yearOffset = [...years][0];
  const explicitYear = yearOffset === undefined ? undefined : ctx.today.year + yearOffset;

  const fixed: DateTime[] = [];
  const offsets = new Map<string, { days: number; months: number }>();
  const weekdays = new Map<string, PieceOf<'weekday'>>();
  const weeks = new Set<number>();
  const spans: Piece[] = [];
  for (const p of pieces) {
    if (p.kind === 'ymd' || p.kind === 'dayOfMonth' || p.kind === 'instant' || p.kind === 'named' || p.kind === 'nthWeekday') {
      const d = fixedDay(p, ctx, explicitYear);
      if (!d) return whenFail(p.kind === 'instant' ? 'unparseable_date' : 'invalid_date');
      fixed.push(d.startOf('day'));
    } else if (p.kind === 'relDays') {
      if (p.role === 'anchor') fixed.push(ctx.today.plus({ days: p.days }));
      else offsets.set(`${p.days}/${p.months ?? 0}`, { days: p.days, months: p.months ?? 0 });
    } else if (p.kind === 'weekday') weekdays.set(`${p.weekday}:${p.mode}`, p);
    else if (p.kind === 'week') weeks.add(p.offset);
    else if (p.kind === 'weekend' || p.kind === 'weekPart' || p.kind === 'monthPart' || p.kind === 'weekdays' || p.kind === 'dateRange') spans.push(p);
  }
  // Two different days in one request ("morgen, am 3.12.") cannot both be meant.
  if (new Set(fixed.map((d) => d.toISODate())).size > 1 || offsets.size > 1 || weekdays.size > 1 || weeks.size > 1 || spans.length > 1) {
    return whenFail('unparseable_date');
  }
  const offset = [...offsets.values()][0] ?? { days: 0, months: 0 };
  const shift = (d: DateTime) => d.plus({ months: offset.months }).plus({ days: offset.days });
  const wd = [...weekdays.values()][0];
  const week = [...weeks][0];
  const weekStart = (n: number) => ctx.today.startOf('week').plus({ weeks: n });

  // "Samstag am Wochenende" is just Saturday.
  if (spans[0]?.kind === 'weekend' && wd && wd.weekday >= 6) spans.pop();
  if (spans[0]) {
    // A stretch is a day choice of its own: it does not combine with another day or an offset.
    if (fixed.length || wd || offsets.size) return whenFail('unparseable_date');
    const span = resolveSpan(spans[0], ctx, week, explicitYear);
    if (!span) return whenFail('unparseable_date');
    return { ok: true, date: span.date, weekOnly: false, ...(span.days > 1 ? { days: span.days } : {}) };
  }
  if (fixed[0]) {
    const date = shift(fixed[0]);
    if (wd && date.weekday !== wd.weekday) return weekdayMismatch(date, wd.weekday);
    if (week !== undefined && +date.startOf('week') !== +weekStart(week)) return whenFail('unparseable_date');
    return { ok: true, date, weekOnly: false };
  }
  // A year alone ("nächstes Jahr") names no day.
  if (explicitYear !== undefined) return whenFail('unparseable_date');
  if (wd) {
    // "Freitag in acht Tagen" counts from this week's Friday (today's, said on a Friday), as
    // "heute in acht Tagen" counts from today: the Friday a week after the coming one.
    const mode = wd.bare && offset.days > 0 && offset.days % 7 === 0 && !offset.months ? 'this' : wd.mode;
    const base = week !== undefined ? weekStart(week).plus({ days: wd.weekday - 1 }) : nextWeekday(ctx.today, wd.weekday, mode);
    return { ok: true, date: shift(base), weekOnly: false };
  }
  if (week !== undefined) {
    return { ok: true, date: shift(week === 0 ? ctx.today : weekStart(week)), weekOnly: true };
  }
  if (offsets.size) return { ok: true, date: shift(ctx.today), weekOnly: false };
  return { ok: true, weekOnly: false };
}

export function nextWeekday(today: DateTime, weekday: number, mode: 'next' | 'this' | 'afterNext'): DateTime {
  const ahead = (weekday - today.weekday + 7) % 7;
  const days = mode === 'this' ? ahead : mode === 'next' ? ahead || 7 : (ahead || 7) + 7;
  return today.plus({ days });
}

function makeDate(year: number, month: number, day: number, ctx: Ctx): DateTime | null {
  const d = DateTime.fromObject({ year, month, day }, { zone: ctx.zone });
  return d.isValid ? d : null;
}

function fixedDay(p: Piece, ctx: Ctx, explicitYear: number | undefined): DateTime | null {
  switch (p.kind) {
    case 'ymd':
      return resolveYmd(p.year ?? explicitYear, p.month, p.day, ctx);
    case 'dayOfMonth':
      return resolveDayOfMonth(p.day, ctx);
    case 'instant':
      return instant(p.iso, ctx);
    case 'named':
      return nextOccurrence(ctx, explicitYear, (y) => {
        const iso = namedDayDate(p.key, y);
        if (!iso) return null;
        const d = DateTime.fromISO(iso, { zone: ctx.zone });
        if (p.weekday === undefined) return d.plus({ days: p.shiftDays });
        const step = p.shiftDays < 0 ? -1 : 1;
        const gap = step > 0 ? (p.weekday - d.weekday + 7) % 7 || 7 : (d.weekday - p.weekday + 7) % 7 || 7;
        return d.plus({ days: step * gap });
      });
    case 'nthWeekday':
      if (p.month === undefined) {
        // "am letzten Freitag im Monat": this month's, or next month's once it has passed.
        const inMonth = (k: number) => {
          const m = ctx.today.plus({ months: k });
          return nthWeekdayOf(m.year, { ...p, month: m.month }, ctx);
        };
        const d = inMonth(0);
        return d && d >= ctx.today ? d : inMonth(1);
      }
      return nextOccurrence(ctx, p.year ?? explicitYear, (y) => nthWeekdayOf(y, { ...p, month: p.month! }, ctx));
    default:
      return null;
  }
}

/** This year's occurrence if it is today or later, else next year's; a said year is taken as is. */
function nextOccurrence(ctx: Ctx, year: number | undefined, inYear: (year: number) => DateTime | null): DateTime | null {
  if (year !== undefined) return inYear(year);
  const thisYear = inYear(ctx.today.year);
  if (thisYear && thisYear >= ctx.today) return thisYear;
  return inYear(ctx.today.year + 1);
}

function nthWeekdayOf(year: number, p: PieceOf<'nthWeekday'> & { month: number }, ctx: Ctx): DateTime | null {
  const first = makeDate(year, p.month, 1, ctx);
  if (!first) return null;
  if (p.n === -1) {
    const last = first.endOf('month').startOf('day');
    return last.minus({ days: (last.weekday - p.weekday + 7) % 7 });
  }
  const d = first.plus({ days: (p.weekday - first.weekday + 7) % 7 + 7 * (p.n - 1) });
  return d.month === p.month ? d : null;
}

function resolveYmd(year: number | undefined, month: number, day: number, ctx: Ctx): DateTime | null {
  if (year !== undefined) return makeDate(year, month, day, ctx);
  const thisYear = makeDate(ctx.today.year, month, day, ctx);
  if (thisYear && (thisYear >= ctx.today || ctx.today.diff(thisYear, 'days').days <= ctx.graceDays)) return thisYear;
  return makeDate(ctx.today.year + 1, month, day, ctx);
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

export function instant(iso: string, ctx: Ctx): DateTime | null {
  const dt = DateTime.fromISO(iso, { zone: ctx.zone });
  return dt.isValid ? dt : null;
}

const MAX_RANGE_DAYS = 21;

const WEEK_PARTS = { start: { offset: 0, days: 2 }, middle: { offset: 2, days: 1 }, end: { offset: 4, days: 2 } } as const;

/**
 * Weekend: Saturday + Sunday, chosen like "Samstag" (the next one after today; "dieses Wochenende"
 * includes today). Week parts: Mon–Tue, Wed, Fri–Sat of the week said ("dieser Woche": what is
 * left of it), or without one of the current week while the part is still ahead, else next week's. Month parts: 1st–5th, 14th–17th, the last five
 * days, of the month said (this year while not over, else next year's). A part already running
 * starts today. "Montag bis Mittwoch": from the Monday "Montag" means through the Wednesday after.
 * "vom 3. bis 5. März": those days (at most three weeks), the year as for "5. März".
 */
function resolveSpan(p: Piece, ctx: Ctx, week: number | undefined, explicitYear: number | undefined): Span | null {
  const clip = (date: DateTime, days: number): Span => {
    if (date >= ctx.today) return { date, days };
    const left = days - Math.round(ctx.today.diff(date, 'days').days);
    return left > 0 ? { date: ctx.today, days: left } : { date, days };
  };
  if (p.kind === 'weekend') {
    if (week !== undefined) return clip(ctx.today.startOf('week').plus({ weeks: week, days: 5 }), 2);
    if (p.mode === 'this' && ctx.today.weekday === 7) return { date: ctx.today, days: 1 };
    return { date: nextWeekday(ctx.today, 6, p.mode), days: 2 };
  }
  if (p.kind === 'dateRange') {
    const to = p.to.month !== undefined ? resolveYmd(p.to.year ?? explicitYear, p.to.month, p.to.day, ctx) : null;
    let from: DateTime | null;
    let end: DateTime | null;
    if (to) {
      from = makeDate(p.from.year ?? to.year, p.from.month ?? to.month, p.from.day, ctx);
      // "vom 28. bis 3. März": the first day lies in the month before; "vom 23.12. bis 2.1.": the year before.
      if (from && p.from.month === undefined && from > to) from = from.minus({ months: 1 });
      if (from && p.from.month !== undefined && p.from.year === undefined && from > to) from = from.minus({ years: 1 });
      end = to;
    } else {
      if (p.from.month !== undefined) return null; // "vom 3.3. bis 5.": refuse the odd order
      from = resolveDayOfMonth(p.from.day, ctx);
      end = from && makeDate(from.year, from.month, p.to.day, ctx);
      if (from && end && end < from) end = makeDate(from.plus({ months: 1 }).year, from.plus({ months: 1 }).month, p.to.day, ctx);
    }
    if (!from || !end || end <= from) return null;
    const days = Math.round(end.diff(from, 'days').days) + 1;
    // A caller's range of days is short; three weeks and more is not a booking wish.
    return days <= MAX_RANGE_DAYS ? clip(from, days) : null;
  }
  if (p.kind === 'weekdays') {
    const days = ((p.to - p.from + 7) % 7) + 1;
    if (week !== undefined) return clip(ctx.today.startOf('week').plus({ weeks: week, days: p.from - 1 }), days);
    return { date: nextWeekday(ctx.today, p.from, p.mode), days };
  }
  if (p.kind === 'weekPart') {
    const part = WEEK_PARTS[p.part];
    const at = (w: number) => ctx.today.startOf('week').plus({ weeks: w, days: part.offset });
    const w = p.week ?? week;
    if (w !== undefined) return clip(at(w), part.days);
    // Like a bare weekday: this week's part only while it is still ahead ("Anfang der Woche" said
    // on a Monday or Tuesday means next week's).
    return at(0) > ctx.today ? { date: at(0), days: part.days } : { date: at(1), days: part.days };
  }
  if (p.kind === 'monthPart') {
    const period = (first: DateTime): Span => {
      const last = first.endOf('month').startOf('day');
      if (p.part === 'start') return { date: first, days: 5 };
      if (p.part === 'middle') return { date: first.set({ day: 14 }), days: 4 };
      return { date: last.minus({ days: 4 }), days: 5 };
    };
    const running = (s: Span) => s.date.plus({ days: s.days - 1 }) >= ctx.today;
    if (p.month !== undefined) {
      const year = p.year ?? explicitYear;
      const inYear = (y: number) => period(DateTime.fromObject({ year: y, month: p.month!, day: 1 }, { zone: ctx.zone }));
      if (year !== undefined) return clip(inYear(year).date, inYear(year).days);
      const thisYear = inYear(ctx.today.year);
      return running(thisYear) ? clip(thisYear.date, thisYear.days) : inYear(ctx.today.year + 1);
    }
    const month = ctx.today.startOf('month').plus({ months: p.monthOffset ?? 0 });
    const s = period(month);
    if (running(s)) return clip(s.date, s.days);
    return p.monthOffset ? s : period(month.plus({ months: 1 }));
  }
  return null;
}

function weekdayMismatch(date: DateTime, said: number): Failure<WhenErrorCode> {
  const actual = WEEKDAY_NAMES[date.weekday - 1];
  return whenFail(
    'weekday_mismatch',
    `Der ${date.day}. ${MONTH_NAMES[date.month - 1]} ist ein ${actual}, kein ${WEEKDAY_NAMES[said - 1]}. Welchen Tag meinen Sie?`,
  );
}

// Entry point: German date/time phrases ("morgen um halb elf", "nächsten Dienstag nachmittags",
// "2025-11-22T10:30:00+01:00") → a calendar day plus an exact time or a window of start times.
// English phrases ("tomorrow at 3:30 pm") are read by chrono-node (english-date.ts) into the same
// pieces, so every reading below holds for both languages. German is always tried first.
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
// - "am frühen / späten Nachmittag" etc.: the early or late half of the part (Nachmittag 13–15 /
//   15–18, Abend 17–19 / 19–22, Vormittag 08–10 / 10–12). "tagsüber" / "den ganzen Tag": business
//   hours. "nach Feierabend": the evening. "in der Mittagspause": 12–14. "nach dem Mittagessen":
//   from 13:00; "vor dem Mittagessen": until 12:00.
// - Open ranges: "ab 14", "nicht vor 10", "frühestens ab 14", "10 Uhr oder später" → from that
//   time; "bis 12", "vor 12" → starts before 12:00; "spätestens um 17", "bis spätestens 17", "nicht
//   nach 17", "nicht später als 17", "um 10 oder früher" → a start at that very time still counts
//   (window end one minute later, ends are exclusive).
// - "in acht Tagen" = one week, "in vierzehn Tagen" = two weeks (German counts both ends), also
//   as an offset ("Freitag in acht Tagen" = the Friday a week after "Freitag"). "in einem Monat": the same day next month. "in zwei Stunden": now + 2 h, exact.
// - Holidays and named days (Heiligabend, Karfreitag, Pfingstmontag, Rosenmontag, Muttertag, …,
//   "am Tag vor Heiligabend", "am Montag nach Ostern") are dated by date-holidays: the next
//   occurrence from today on ("nächstes Jahr" picks next year's). With `region` set, a single day
//   that is a public holiday there is refused with `closed_holiday`.
// - Stretches of days get `days` (≥ 2) and no start: "am Wochenende" = Saturday + Sunday, picked
//   like "Samstag" (the next one after today; "dieses Wochenende" includes today). "Anfang /
//   Mitte / Ende (der|nächster) Woche" = Mon–Tue / Wed / Fri–Sat of that week; "der Woche" is
//   the current week's while that part is still ahead (like a bare weekday), else next week's;
//   "dieser Woche" is what is left of it (a running part starts today). "Anfang / Mitte / Ende
//   Dezember" = 1st–5th / 14th–17th / last five days. "Montag bis Mittwoch", "vom 3. bis 5. März"
//   (at most three weeks) are those days.
// - "am letzten Samstag im Februar", "am ersten Montag im März": this year's unless passed.
//   "nächstes Jahr am 4. Januar": the year said.
// - Words that change the meaning ("nicht", "oder", "außer", "kein") are understood ("nicht vor
//   10", "nicht Montag, sondern Dienstag") or the phrase is refused, never skipped; fillers and
//   hesitations ("äh", "so um 10 rum", "am besten", "Punkt") are skipped.
// - A date without any time gives just the date; a time without any date is `missing_date`
//   (we don't guess "today"). Nothing throws: unknown input is a refusal with a German sentence.
import type { DateTime } from 'luxon';
import { scanEnglish } from './english-date.ts';
import type { DayPart, Field, Piece } from './german-pieces.ts';
import { scanPhrase } from './german-scan.ts';
import { speakDate } from './german-speak.ts';
import { publicHoliday, type HolidayRegion } from './holidays.ts';
import {
  DEFAULT_ZONE, formatClock, hhmmToMinutes, localToInstant, minutesToClock, resolveNow,
} from './local-time.ts';
import { resolveDay, type Ctx } from './resolve-day.ts';
import { resolveTime, type TimeSpec } from './resolve-time.ts';
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
  /**
   * Where the business is, for public holidays: a single day that is a public holiday there is
   * refused with `closed_holiday` (German sentence naming the holiday). Leave it out where a
   * holiday is not a reason to refuse (finding an existing appointment by its day).
   */
  region?: HolidayRegion;
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
  /**
   * A short stretch of days was named ("am Wochenende", "Anfang nächster Woche", "Ende Februar"):
   * the days from `date` on, `days` of them (≥ 2). No `start` then, as with weekOnly.
   */
  days?: number;
  /** The day part the caller said, if any. */
  dayPart?: DayPart;
}

export type WhenResult = WhenOk | Failure<WhenErrorCode>;

/** Parses `datum` + `uhrzeit` (or one combined string) into a day and a time or window. Never throws. */
export function parseGermanDateTime(input: WhenInput | string, options: ParseWhenOptions): WhenResult {
  try {
    return parseWhen(input, options);
  } catch {
    // A malformed option (business hours, zone) or an unforeseen input: refuse, never crash the call.
    return whenFail('unparseable_date');
  }
}

function parseWhen(input: WhenInput | string, options: ParseWhenOptions): WhenResult {
  const zone = options.zone ?? DEFAULT_ZONE;
  const now = resolveNow(options.now, zone);
  const hours = options.businessHours ?? DEFAULT_BUSINESS_HOURS;
  const ctx: Ctx = {
    now, today: now.startOf('day'), zone,
    open: hhmmToMinutes(hours.open), close: hhmmToMinutes(hours.close),
    graceDays: options.pastGraceDays ?? 14,
  };
  const { datum, uhrzeit } = typeof input === 'string' ? { datum: input, uhrzeit: undefined } : input;

  const fromDatum = scanField(typeof datum === 'string' ? datum : '', 'datum', ctx);
  if (!fromDatum) return whenFail('unparseable_date');
  const fromUhrzeit = scanField(typeof uhrzeit === 'string' ? uhrzeit : '', 'uhrzeit', ctx);
  if (!fromUhrzeit) return whenFail('unparseable_time');
  const pieces = [...fromDatum, ...fromUhrzeit].map((p) => fromNowToInstant(p, ctx));

  const day = resolveDay(pieces, ctx);
  if (!day.ok) return day;
  if (!day.date) return whenFail('missing_date');
  if (day.date < ctx.today) return whenFail('date_in_past');
  // Only a single day is refused; a week or a stretch with a holiday in it still has other days.
  if (options.region && !day.days && !day.weekOnly) {
    const holiday = publicHoliday(day.date.toISODate()!, options.region);
    if (holiday) return closedOn(day.date, holiday);
  }
  const time = resolveTime(pieces, ctx);
  if (!time.ok) return time;
  return assemble(day.date, day.weekOnly, day.days, time, ctx);
}

/**
 * German first: the German rules are strict (every word understood or a known filler), so a
 * phrase they accept is German. Only a field they refuse goes to the English reader, which is
 * just as strict about words it does not understand — a German phrase is never half-read by it.
 */
function scanField(text: string, field: Field, ctx: Ctx): Piece[] | null {
  // A spoken date or time is a few words; anything far longer is not one (and would cost time).
  if (text.length > MAX_FIELD_LENGTH) return null;
  return scanPhrase(text, field) ?? scanEnglish(text, field, ctx);
}

const MAX_FIELD_LENGTH = 200;

/** "in zwei Stunden": the instant now + n minutes, rounded up to the whole minute. */
function fromNowToInstant(p: Piece, ctx: Ctx): Piece {
  if (p.kind !== 'fromNow') return p;
  const at = ctx.now.plus({ minutes: p.minutes });
  const whole = at.second || at.millisecond ? at.startOf('minute').plus({ minutes: 1 }) : at;
  return { kind: 'instant', iso: whole.toISO()! };
}

function closedOn(date: DateTime, holiday: string): Failure<WhenErrorCode> {
  return whenFail('closed_holiday', `Am ${speakDate(date)} ist ${holiday}, ein Feiertag – da haben wir geschlossen. Welcher andere Tag passt Ihnen?`);
}

// ---------------------------------------------------------------- result

function assemble(date: DateTime, weekOnly: boolean, days: number | undefined, time: TimeSpec, ctx: Ctx): WhenResult {
  const out: WhenOk = { ok: true, date: date.toISODate()! };
  if (weekOnly) out.weekOnly = true;
  if (days) out.days = days;
  if (time.dayPart) out.dayPart = time.dayPart;
  if (time.kind === 'exact') {
    out.time = formatClock(minutesToClock(time.minutes));
    if (weekOnly || days) return out; // no single day chosen, so no start instant
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
    if (!weekOnly && +date === +ctx.today && !days) {
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

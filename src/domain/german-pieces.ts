// What the rule functions recognise in a phrase, before any calendar arithmetic.
// Rules only read tokens; german-date.ts turns pieces into dates against the injected clock.
// The English reader (english-date.ts) produces the same pieces, so both languages share one
// set of readings.
import type { NamedDayKey } from './holidays.ts';

export type DayPart = 'frueh' | 'vormittag' | 'mittag' | 'nachmittag' | 'abend';

/**
 * A time of day as spoken. `explicit24` is true when the hour cannot mean anything else
 * (13–23, 0, or written with a leading zero like "08:00"); otherwise h is 1–12 and the
 * am/pm reading is chosen later from the day part or the business hours.
 */
export interface SpokenClock {
  h: number;
  m: number;
  explicit24: boolean;
}

/** A day of month with the month and year when said. */
export interface DayRef {
  day: number;
  month?: number;
  year?: number;
}

export type Piece =
  /** A calendar date; year absent when not said ("22.11.", "22. November"). */
  | { kind: 'ymd'; year?: number; month: number; day: number }
  /** "am 22." — a day of the current or next month. */
  | { kind: 'dayOfMonth'; day: number }
  /** heute/morgen (anchor) or "in 3 Tagen" / "in einem Monat" (offset, added to whatever the day is). */
  | { kind: 'relDays'; days: number; months?: number; role: 'anchor' | 'offset' }
  /**
   * A holiday or other named day, shifted ("am Tag vor Heiligabend": -1); with `weekday`, the
   * nearest such weekday strictly before (shift < 0) or after it ("am Montag nach Ostern").
   */
  | { kind: 'named'; key: NamedDayKey; shiftDays: number; weekday?: number }
  /** "am letzten Samstag im Februar": n = 1…5 or -1 for the last; no month = this month ("im Monat"). */
  | { kind: 'nthWeekday'; n: number; weekday: number; month?: number; year?: number }
  /** "nächstes Jahr" (1), "dieses Jahr" (0): the year of a date said without one. */
  | { kind: 'year'; offset: number }
  /**
   * Stretches of days: the weekend (Saturday + Sunday) picked like a weekday; the start, middle or
   * end of a week (`week` = ISO week offset when said, else the current one unless it is over).
   */
  | { kind: 'weekend'; mode: 'next' | 'this' | 'afterNext' }
  | { kind: 'weekPart'; part: 'start' | 'middle' | 'end'; week?: number }
  /** "vom 3. bis 5. März", "zwischen dem 3. und 5.": month/year of `from` default to those of `to`. */
  | { kind: 'dateRange'; from: DayRef; to: DayRef }
  /** "Montag bis Mittwoch": from the first weekday (picked like "Montag") through the second. */
  | { kind: 'weekdays'; from: number; to: number; mode: 'next' | 'this' | 'afterNext' }
  /** "Anfang Dezember", "Ende des Monats": month offset from now or a month name. */
  | { kind: 'monthPart'; part: 'start' | 'middle' | 'end'; month?: number; monthOffset?: number; year?: number }
  /** "in zwei Stunden": an instant this many minutes after now. */
  | { kind: 'fromNow'; minutes: number }
  /** next: 1–7 days ahead; this: 0–6 days ahead (see german-date.ts for the reasoning). */
  | { kind: 'weekday'; weekday: number; mode: 'next' | 'this' | 'afterNext'; /** said without nächsten/diesen */ bare?: boolean }
  /** diese (0) / nächste (1) / übernächste (2) Woche. */
  | { kind: 'week'; offset: number }
  /** An ISO date-time with its own offset or Z: a fixed instant. */
  | { kind: 'instant'; iso: string }
  | { kind: 'clock'; clock: SpokenClock }
  /**
   * "ab 10", "bis 12", "zwischen 10 und 12"; "kurz nach zehn" is a range whose `anchor` end is the
   * spoken hour, so it resolves am/pm exactly like "um zehn" would.
   */
  | { kind: 'range'; from?: SpokenClock; to?: SpokenClock; anchor?: 'from' | 'to'; toInclusive?: boolean }
  /** A day part, or only its early or late half ("am frühen Nachmittag"). */
  | { kind: 'dayPart'; part: DayPart; shade?: 'early' | 'late' };

export type Field = 'datum' | 'uhrzeit';

export type PieceOf<K extends Piece['kind']> = Extract<Piece, { kind: K }>;

export interface Cursor {
  toks: readonly string[];
  i: number;
  field: Field;
}

export interface Match {
  pieces: Piece[];
  next: number;
}

/** A rule looks at the tokens from `i` on and either consumes some or declines with null. */
export type Rule = (c: Cursor) => Match | null;

// What the rule functions recognise in a phrase, before any calendar arithmetic.
// Rules only read tokens; german-date.ts turns pieces into dates against the injected clock.

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

export type Piece =
  /** A calendar date; year absent when not said ("22.11.", "22. November"). */
  | { kind: 'ymd'; year?: number; month: number; day: number }
  /** "am 22." — a day of the current or next month. */
  | { kind: 'dayOfMonth'; day: number }
  /** heute/morgen (anchor) or "in 3 Tagen" (offset, added to whatever the day is). */
  | { kind: 'relDays'; days: number; role: 'anchor' | 'offset' }
  /** next: 1–7 days ahead; this: 0–6 days ahead (see german-date.ts for the reasoning). */
  | { kind: 'weekday'; weekday: number; mode: 'next' | 'this' | 'afterNext' }
  /** diese (0) / nächste (1) / übernächste (2) Woche. */
  | { kind: 'week'; offset: number }
  /** An ISO date-time with its own offset or Z: a fixed instant. */
  | { kind: 'instant'; iso: string }
  | { kind: 'clock'; clock: SpokenClock }
  /**
   * "ab 10", "bis 12", "zwischen 10 und 12"; "kurz nach zehn" is a range whose `anchor` end is the
   * spoken hour, so it resolves am/pm exactly like "um zehn" would.
   */
  | { kind: 'range'; from?: SpokenClock; to?: SpokenClock; anchor?: 'from' | 'to' }
  | { kind: 'dayPart'; part: DayPart };

export type Field = 'datum' | 'uhrzeit';

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

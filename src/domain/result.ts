// Shared result shape of the domain parsers: a success object or a machine code plus a short
// German sentence the voice agent can speak as is (the front door passes `message` through).

export interface Failure<C extends string> {
  ok: false;
  code: C;
  message: string;
}

export function fail<C extends string>(code: C, message: string): Failure<C> {
  return { ok: false, code, message };
}

export type WhenErrorCode =
  | 'missing_date'
  | 'unparseable_date'
  | 'unparseable_time'
  | 'invalid_date'
  | 'weekday_mismatch'
  | 'date_in_past'
  | 'time_in_past'
  | 'nonexistent_time'
  | 'closed_holiday';

/** Default sentences; weekday_mismatch gets a specific one built where it is detected. */
export const WHEN_MESSAGES: Record<WhenErrorCode, string> = {
  missing_date: 'Für welchen Tag möchten Sie den Termin?',
  unparseable_date: 'Das Datum habe ich leider nicht verstanden. Welcher Tag passt Ihnen?',
  unparseable_time: 'Die Uhrzeit habe ich leider nicht verstanden. Um wie viel Uhr möchten Sie kommen?',
  invalid_date: 'Dieses Datum gibt es nicht. Welcher Tag passt Ihnen?',
  weekday_mismatch: 'Wochentag und Datum passen nicht zusammen. Welchen Tag meinen Sie?',
  date_in_past: 'Dieses Datum liegt in der Vergangenheit. Welcher Tag passt Ihnen stattdessen?',
  time_in_past: 'Diese Uhrzeit ist heute schon vorbei. Welche Uhrzeit passt Ihnen stattdessen?',
  nonexistent_time:
    'Diese Uhrzeit gibt es an dem Tag wegen der Zeitumstellung nicht. Welche andere Uhrzeit passt Ihnen?',
  closed_holiday: 'An diesem Tag ist Feiertag, da haben wir geschlossen. Welcher andere Tag passt Ihnen?',
};

export function whenFail(code: WhenErrorCode, message = WHEN_MESSAGES[code]): Failure<WhenErrorCode> {
  return fail(code, message);
}

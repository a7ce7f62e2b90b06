// Wall-clock helpers: "HH:mm" clocks, the injected "now", and local date+time → instant
// conversion that is explicit about DST gaps and overlaps instead of luxon's silent shifting.
import { DateTime } from 'luxon';
import { fail, WHEN_MESSAGES, type Failure } from './result.ts';

export const DEFAULT_ZONE = 'Europe/Berlin';

/** A wall-clock time of day. */
export interface Clock {
  h: number;
  m: number;
}

export function clockToMinutes(c: Clock): number {
  return c.h * 60 + c.m;
}

export function minutesToClock(minutes: number): Clock {
  return { h: Math.floor(minutes / 60), m: minutes % 60 };
}

export function formatClock(c: Clock): string {
  return `${String(c.h).padStart(2, '0')}:${String(c.m).padStart(2, '0')}`;
}

/** "08:00" → minutes after midnight; throws on a malformed config value (a programming error). */
export function hhmmToMinutes(hhmm: string): number {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`expected HH:mm, got ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The clock is always passed in (DateTime or epoch ms) and viewed in the business's zone. */
export function resolveNow(now: DateTime | number, zone: string): DateTime {
  const dt = typeof now === 'number' ? DateTime.fromMillis(now, { zone }) : now.setZone(zone);
  if (!dt.isValid) throw new Error(`invalid clock or zone: ${dt.invalidExplanation ?? zone}`);
  return dt;
}

export type InstantResult = { ok: true; start: DateTime } | Failure<'nonexistent_time'>;

/**
 * Local "YYYY-MM-DD" + "HH:mm" in `zone` → the instant (a zone-aware DateTime; `.toUTC().toISO()`
 * gives the Cal.com start).
 * - A wall time inside a spring-forward gap (Berlin 2026-03-29 02:30) does not exist: we return
 *   `nonexistent_time` rather than silently booking 03:30 as luxon would.
 * - A wall time inside a fall-back overlap (Berlin 2026-10-25 02:30) happens twice: we take the
 *   first occurrence (still summer time, +02:00), the one that comes first on the caller's day.
 */
export function localToInstant(date: string, time: string, zone: string = DEFAULT_ZONE): InstantResult {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) throw new Error(`expected YYYY-MM-DD and HH:mm, got ${date} ${time}`);
  const wall = {
    year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(t[1]), minute: Number(t[2]),
  };
  const dt = DateTime.fromObject(wall, { zone });
  if (!dt.isValid) throw new Error(`invalid local time ${date} ${time} in ${zone}: ${dt.invalidExplanation}`);
  if (dt.hour !== wall.hour || dt.minute !== wall.minute || dt.day !== wall.day) {
    return fail('nonexistent_time', WHEN_MESSAGES.nonexistent_time);
  }
  const first = dt.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), dt);
  return { ok: true, start: first };
}

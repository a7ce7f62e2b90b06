// Formats instants for the voice agent to read out. Names come from fixed tables, not Intl,
// so the output does not depend on the ICU data the Node build ships with.
import type { DateTime } from 'luxon';
import { resolveNow } from './local-time.ts';

export const WEEKDAY_NAMES = ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'] as const;
export const MONTH_NAMES = [
  'Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember',
] as const;

export interface SpeakOptions {
  /** Zone to speak in; default: the DateTime's own zone. */
  zone?: string;
  /** When given, the year is added only if it differs from now's year ("3. Januar 2026"). */
  now?: DateTime | number;
}

function inZone(dt: DateTime, opts: SpeakOptions): DateTime {
  return opts.zone ? dt.setZone(opts.zone) : dt;
}

/** "10 Uhr", "10:30 Uhr", "9:05 Uhr" — full hours without ":00", which TTS reads as "null null". */
export function speakTime(dt: DateTime, opts: SpeakOptions = {}): string {
  const t = inZone(dt, opts);
  return t.minute === 0 ? `${t.hour} Uhr` : `${t.hour}:${String(t.minute).padStart(2, '0')} Uhr`;
}

/** "Dienstag, 25. November"; with `now` and another year: "Samstag, 3. Januar 2026". */
export function speakDate(dt: DateTime, opts: SpeakOptions = {}): string {
  const d = inZone(dt, opts);
  const base = `${WEEKDAY_NAMES[d.weekday - 1]}, ${d.day}. ${MONTH_NAMES[d.month - 1]}`;
  if (opts.now === undefined) return base;
  return resolveNow(opts.now, d.zoneName ?? 'UTC').year === d.year ? base : `${base} ${d.year}`;
}

/** "Dienstag, 25. November um 10:30 Uhr". */
export function speakSlot(dt: DateTime, opts: SpeakOptions = {}): string {
  return `${speakDate(dt, opts)} um ${speakTime(dt, opts)}`;
}

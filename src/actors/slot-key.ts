import { DateTime } from 'luxon';

/** `slot:{companyId}:{calendarKey}:{YYYY-MM-DD}` — one bookable calendar on one local day. */
export function slotKey(companyId: string, calendarKey: string, localDate: string): string {
  return `slot:${companyId}:${calendarKey}:${localDate}`;
}

/** The slot key of the local day (in `zone`) that contains `startUtc`. */
export function slotKeyAt(companyId: string, calendarKey: string, startUtc: number, zone: string): string {
  return slotKey(companyId, calendarKey, DateTime.fromMillis(startUtc, { zone }).toISODate()!);
}

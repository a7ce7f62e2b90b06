import type { DateTime } from 'luxon';
import { publicHoliday } from '../../src/domain/holidays.ts';

/**
 * Whether the test salons open on this (Berlin) day: not a Sunday (the simulator's hours) and not
 * a German public holiday (the voice edge answers those as closed). Tests pick days relative to
 * today, so a fixed offset lands on 25 December in some weeks of the year.
 */
export const isOpenDay = (day: DateTime): boolean => day.weekday !== 7 && !publicHoliday(day.toISODate()!);

/** `day`, or the first open day after it. */
export function openDayFrom(day: DateTime): DateTime {
  while (!isOpenDay(day)) day = day.plus({ days: 1 });
  return day;
}

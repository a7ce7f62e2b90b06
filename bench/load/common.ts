import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { join } from 'node:path';
import type { Stack } from '../stack/stack.ts';

export const ZONE = 'Europe/Berlin';

/** Working days (Mon–Sat) from `fromDays` ahead, as luxon dates in Berlin. */
export function workdays(fromDays: number, count: number): DateTime[] {
  const days: DateTime[] = [];
  for (let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: fromDays }); days.length < count; d = d.plus({ days: 1 })) {
    if (d.weekday !== 7) days.push(d);
  }
  return days;
}

export const germanDate = (day: DateTime) => day.toFormat('dd.MM.yyyy');

/** Reads a counter family from the service's /metrics as { labels → value }. */
export async function scrape(url: string, family: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family} `)) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(family.length, space), Number(line.slice(space + 1)));
  }
  return values;
}

export function counter(values: Map<string, number>, labelPart: string): number {
  let sum = 0;
  for (const [labels, value] of values) if (labels.includes(labelPart)) sum += value;
  return sum;
}

/** The service's SQLite file, read-only (WAL lets us read while it runs). */
export function openDatabase(stack: Stack): Database.Database {
  return new Database(join(stack.dir, 'booking.sqlite'), { readonly: true, fileMustExist: true });
}

export function serverTimingCalcomMs(header: string | string[] | undefined | null): number {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const match = /calcom;dur=([\d.]+)/.exec(value);
  return match ? Number(match[1]) : NaN;
}

import { DateTime } from 'luxon';
import type { ServiceEntry } from '../catalog/index.ts';
import type { AvailabilityCache } from './cache.ts';
import { freeStarts } from './free-starts.ts';

export interface AlternativesQuery {
  requestedUtc: number;
  /** How many to return (default 3). */
  count?: number;
  /** Never earlier than this (now). */
  notBeforeUtc: number;
  /** How far to look around the requested day (default 7 days each way). */
  searchDays?: number;
}

/**
 * The nearest free starts around a requested time: the same local day first (closest
 * first), then the other days by distance. The weeks involved are fetched in parallel.
 */
export async function nearestAlternatives(cache: AvailabilityCache, entry: ServiceEntry, query: AlternativesQuery): Promise<number[]> {
  const zone = entry.company.timeZone;
  const days = query.searchDays ?? 7;
  const requested = DateTime.fromMillis(query.requestedUtc, { zone });
  const from = Math.max(query.notBeforeUtc, requested.minus({ days }).startOf('day').toMillis());
  const to = requested.plus({ days }).endOf('day').toMillis();
  const starts = (await freeStarts(cache, entry, from, to)).filter((t) => t !== query.requestedUtc && t > query.notBeforeUtc);
  const [dayStart, dayEnd] = [requested.startOf('day').toMillis(), requested.endOf('day').toMillis()];
  const sameDay = (t: number) => t >= dayStart && t <= dayEnd;
  const distance = (t: number) => Math.abs(t - query.requestedUtc);
  return starts
    .sort((a, b) => Number(sameDay(b)) - Number(sameDay(a)) || distance(a) - distance(b) || a - b)
    .slice(0, query.count ?? 3)
    .sort((a, b) => a - b);
}

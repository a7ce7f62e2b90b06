import type { ServiceEntry } from '../catalog/index.ts';
import type { AvailabilityCache } from './cache.ts';

/**
 * Start times at which the whole service fits: for a composite service every segment's
 * event type must be free at its offset. Each event type's weeks are read in parallel.
 */
export async function freeStarts(cache: AvailabilityCache, entry: ServiceEntry, fromUtc: number, toUtc: number): Promise<number[]> {
  const calendar = { companyId: entry.company.id, calendarKey: entry.calendarKey, zone: entry.company.timeZone };
  const perSegment = await Promise.all(
    entry.segments.map(async (segment) => {
      const offset = segment.offsetMinutes * 60_000;
      const starts = await cache.between({ ...calendar, eventTypeId: segment.eventTypeId }, fromUtc + offset, toUtc + offset);
      return { offset, starts: new Set(starts) };
    }),
  );
  const [first, ...rest] = perSegment;
  return [...first!.starts].filter((t) => rest.every(({ offset, starts }) => starts.has(t + offset))).sort((a, b) => a - b);
}

import type { CalcomSlot, SlotsByDate } from './schemas.ts';

/** All slots of a GET /v2/slots answer in chronological order, dates flattened away. */
export function flattenSlots(byDate: SlotsByDate): CalcomSlot[] {
  return Object.keys(byDate)
    .sort()
    .flatMap((date) => byDate[date] ?? [])
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

import { IANAZone } from 'luxon';

let enabled = false;

/**
 * Memoises luxon's UTC offset lookups per zone and minute. Luxon asks Intl for the offset of
 * every instant it touches (formatToParts), which was measured at about 60 % of all luxon time
 * on the request path; offsets of today's tz data change only on whole minutes, so a minute's
 * answer holds for all of it. Called once at service start (a process-wide setting, explicit
 * rather than a side effect of an import); results are identical with or without it.
 */
export function memoizeZoneOffsets(maxEntries = 100_000): void {
  if (enabled) return;
  enabled = true;
  const proto = IANAZone.prototype as unknown as { offset(this: IANAZone, ts: number): number };
  const lookup = proto.offset;
  const memo = new Map<string, number>();
  proto.offset = function (this: IANAZone, ts: number): number {
    const key = `${this.name}|${Math.floor(ts / 60_000)}`;
    let offset = memo.get(key);
    if (offset === undefined) {
      if (memo.size >= maxEntries) memo.clear();
      offset = lookup.call(this, ts);
      memo.set(key, offset);
    }
    return offset;
  };
}

const validZones = new Set<string>();

/**
 * luxon's IANAZone.isValidZone, remembering the names it accepted: each check builds an
 * Intl.DateTimeFormat (~0.1 ms), and every Cal.com request validates its time zone.
 */
export function isValidTimeZone(name: string): boolean {
  if (validZones.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  if (validZones.size < 1000) validZones.add(name);
  return true;
}

// Turns the time pieces of a phrase into an exact local time or a window of start times, choosing
// 3:00 vs 15:00 from the day part or the business hours (readings documented in german-date.ts).
import type { DayPart, Piece, PieceOf, SpokenClock } from './german-pieces.ts';
import { instant, type Ctx } from './resolve-day.ts';
import { whenFail, type Failure, type WhenErrorCode } from './result.ts';
import type { DateTime } from 'luxon';

export type TimeSpec =
  | { ok: true; kind: 'none'; dayPart?: DayPart }
  | { ok: true; kind: 'exact'; minutes: number; instant?: DateTime; dayPart?: DayPart }
  | { ok: true; kind: 'window'; from: number; to: number; dayPart?: DayPart };

const PART_WINDOWS: Record<DayPart, [number, number]> = {
  frueh: [6 * 60, 10 * 60],
  vormittag: [8 * 60, 12 * 60],
  mittag: [11 * 60, 14 * 60],
  nachmittag: [13 * 60, 17 * 60],
  abend: [17 * 60, 22 * 60],
};

/** Early and late halves ("am frühen Nachmittag" 13–15, "am späten Nachmittag" 15–18). */
const SHADE_WINDOWS: Record<DayPart, Record<'early' | 'late', [number, number]>> = {
  frueh: { early: [6 * 60, 8 * 60], late: [8 * 60, 10 * 60] },
  vormittag: { early: [8 * 60, 10 * 60], late: [10 * 60, 12 * 60] },
  mittag: { early: [11 * 60, 13 * 60], late: [13 * 60, 14 * 60] },
  nachmittag: { early: [13 * 60, 15 * 60], late: [15 * 60, 18 * 60] },
  abend: { early: [17 * 60, 19 * 60], late: [19 * 60, 22 * 60] },
};

export function resolveTime(pieces: Piece[], ctx: Ctx): TimeSpec | Failure<WhenErrorCode> {
  const partPieces = pieces.filter((p): p is PieceOf<'dayPart'> => p.kind === 'dayPart');
  const parts = new Set(partPieces.map((p) => p.part));
  const shades = new Set(partPieces.flatMap((p) => (p.shade ? [p.shade] : [])));
  if (parts.size > 1 || shades.size > 1) return whenFail('unparseable_time');
  const dayPart = [...parts][0];
  const shade = [...shades][0];
  const tag = dayPart ? { dayPart } : {};

  const instants = pieces.flatMap((p) => (p.kind === 'instant' ? [instant(p.iso, ctx)!] : []));
  const exact = new Set([
    ...pieces.flatMap((p) => (p.kind === 'clock' ? [resolveClock(p.clock, dayPart, ctx)] : [])),
    ...instants.map((dt) => dt.hour * 60 + dt.minute),
  ]);
  const ranges = pieces.flatMap((p) => (p.kind === 'range' ? [p] : []));
  if (exact.size > 1 || ranges.length > 1 || (exact.size && ranges.length)) return whenFail('unparseable_time');

  const [minutes] = exact;
  if (minutes !== undefined) return { ok: true, kind: 'exact', minutes, ...(instants[0] ? { instant: instants[0] } : {}), ...tag };
  const base = dayPart ? partWindow(dayPart, shade, ctx) : ([ctx.open, ctx.close] as const);
  const r = ranges[0];
  if (!r) return dayPart ? { ok: true, kind: 'window', from: base[0], to: base[1], ...tag } : { ok: true, kind: 'none' };

  let [from, to] = rangeEnds(r, dayPart, ctx);
  // "bis spätestens 17 Uhr": a 17:00 start is still in (the window end is exclusive).
  if (to !== undefined && r.toInclusive) to += 1;
  if (from === undefined) from = to !== undefined && to <= base[0] ? 0 : base[0];
  if (to === undefined) to = from >= base[1] ? 23 * 60 + 59 : base[1];
  if (from >= to) return whenFail('unparseable_time');
  return { ok: true, kind: 'window', from, to, ...tag };
}

/** Day-part window clipped to business hours, unless clipping would leave nothing. */
function partWindow(part: DayPart, shade: 'early' | 'late' | undefined, ctx: Ctx): readonly [number, number] {
  const [a, b] = shade ? SHADE_WINDOWS[part][shade] : PART_WINDOWS[part];
  const from = Math.max(a, ctx.open);
  const to = Math.min(b, ctx.close);
  return from < to ? [from, to] : [a, b];
}

const fits = (minutes: number, ctx: Ctx) => minutes >= ctx.open && minutes < ctx.close;

/** Minutes after midnight for a spoken clock, choosing am/pm as described in the header. */
function resolveClock(c: SpokenClock, part: DayPart | undefined, ctx: Ctx): number {
  if (c.explicit24) return c.h * 60 + c.m;
  const am = (c.h % 12) * 60 + c.m;
  const pm = am + 12 * 60;
  const noon = c.h === 12;
  switch (part) {
    case 'frueh':
    case 'vormittag':
      return noon ? pm : am;
    case 'mittag':
      return c.h === 10 || c.h === 11 ? am : pm;
    case 'nachmittag':
    case 'abend':
      return pm;
    default: {
      if (fits(am, ctx) !== fits(pm, ctx)) return fits(am, ctx) ? am : pm;
      return noon || c.h <= 6 ? pm : am;
    }
  }
}

/**
 * Both ends of a range in minutes. Two ambiguous ends move together ("zwischen 11 und 1" is
 * 11:00–13:00, never 23:00–13:00): around the spoken hour for "kurz vor/nach", otherwise the pair
 * that overlaps business hours most.
 */
function rangeEnds(r: PieceOf<'range'>, part: DayPart | undefined, ctx: Ctx): [number?, number?] {
  const { from, to } = r;
  if (!from || !to || from.explicit24 || to.explicit24 || part) {
    return [from && resolveClock(from, part, ctx), to && resolveClock(to, part, ctx)];
  }
  const a = (from.h % 12) * 60 + from.m;
  let b = (to.h % 12) * 60 + to.m;
  if (b <= a) b += 12 * 60;
  let shift: number;
  if (r.anchor) {
    const anchor = r.anchor === 'from' ? from : to;
    shift = resolveClock(anchor, part, ctx) - (r.anchor === 'from' ? a : b);
  } else {
    const overlap = (x: number, y: number) => Math.max(0, Math.min(y, ctx.close) - Math.max(x, ctx.open));
    const amScore = overlap(a, b);
    const pmScore = b + 720 <= 24 * 60 ? overlap(a + 720, b + 720) : -1;
    shift = amScore !== pmScore ? (pmScore > amScore ? 720 : 0) : resolveClock(from, part, ctx) >= 720 ? 720 : 0;
  }
  return [a + shift, b + shift];
}

